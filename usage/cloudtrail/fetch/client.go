package fetch

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ClientOptions adjust the SDK clients built from the default config chain
// (environment, shared profile, SSO, EC2/ECS metadata).
type ClientOptions struct {
	// Region overrides the chain's region. For S3, when neither gives one,
	// us-east-1 is used.
	Region string
	// Endpoint overrides the service URL, e.g. http://127.0.0.1:9000 for
	// tests or an S3-compatible store; S3 then uses path-style addressing.
	Endpoint string
}

func loadConfig(ctx context.Context, opt ClientOptions) (aws.Config, error) {
	var fns []func(*config.LoadOptions) error
	if opt.Region != "" {
		fns = append(fns, config.WithRegion(opt.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, fns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// NewS3Client builds an S3 client from the default config chain.
func NewS3Client(ctx context.Context, opt ClientOptions) (*s3.Client, error) {
	cfg, err := loadConfig(ctx, opt)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Stores other than S3 often send no checksums; skipping
		// validation then is expected, not worth a warning per object.
		o.DisableLogOutputChecksumValidationSkipped = true
		if opt.Endpoint != "" {
			o.BaseEndpoint = aws.String(opt.Endpoint)
		}
		// An endpoint of one's own (here, or AWS_ENDPOINT_URL_S3 in the
		// environment) is an S3-compatible store or a test server: those
		// rarely serve virtual-hosted bucket names.
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	}), nil
}

// NewCloudTrailClient builds a CloudTrail client from the default config
// chain. The SDK's own retries are off: LookupEvents paces and retries
// itself so that retries count against the region's request rate.
func NewCloudTrailClient(ctx context.Context, opt ClientOptions) (*cloudtrail.Client, error) {
	cfg, err := loadConfig(ctx, opt)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region: name one in cloudtrail://REGION")
	}
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
		o.Retryer = aws.NopRetryer{}
		if opt.Endpoint != "" {
			o.BaseEndpoint = aws.String(opt.Endpoint)
		}
	}), nil
}
