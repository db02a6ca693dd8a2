# pare: `make demo` runs the main job on the shipped sample logs; `make test` runs every test.
GO      ?= go
BIN     ?= bin/pare
BENCH_EVENTS ?= 1000000
BENCH_FILES  ?= 1000
BENCH_DIR    ?= $(or $(TMPDIR),/tmp)/pare-bench
# duckdb_arrow: the store takes events as Arrow batches (usage/sink_arrow.go),
# which on the Azure benchmark loads with 12-17% less CPU and a third less
# memory than DuckDB's appender, the fallback of a build without the tag.
TAGS    ?= duckdb_arrow
GOTAGS   = -tags '$(TAGS)'

.PHONY: all build test check demo bench fuzz clean
all: build

build:
	$(GO) build $(GOTAGS) -o $(BIN) ./cmd/pare

# synth must never need cgo or DuckDB: its tests also run with CGO_ENABLED=0.
# The store's tests run a second time without the tag, on the appender.
test:
	CGO_ENABLED=0 $(GO) test -count=1 ./synth/...
	$(GO) test $(GOTAGS) -count=1 ./...
	$(GO) test -count=1 ./usage/

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	$(GO) vet $(GOTAGS) ./...
	$(GO) vet ./usage/
	@if command -v staticcheck >/dev/null; then staticcheck $(GOTAGS) ./...; else echo "staticcheck not installed; skipped"; fi
	$(GO) test $(GOTAGS) -race -count=1 ./...

demo: build
	@rm -rf out/demo
	$(BIN) generate --format json,terraform --out out/demo testdata/cloudtrail/invictus-aws-dataset
	@echo
	@echo "Policies, evidence and manifest written to out/demo:"
	@cd out/demo && find . -type f | sort | head -n 20 && echo "  ... ($$(find . -type f | wc -l) files; see out/demo/manifest.json)"

# Throughput and memory: synthetic logs (CloudTrail in the S3 delivery shape,
# Azure Activity Log exports, Kubernetes audit logs), each ingested into a
# file store and generated from it, plus an AWS privilege report over 10,000
# roles and users granted 1,000 actions each. Figures go to the README.
bench: build
	$(GO) run ./cmd/benchgen -events $(BENCH_EVENTS) -files $(BENCH_FILES) -out $(BENCH_DIR)/aws
	rm -rf $(BENCH_DIR)/aws.duckdb $(BENCH_DIR)/aws.duckdb.wal $(BENCH_DIR)/aws.duckdb.tmp $(BENCH_DIR)/out
	$(BIN) ingest --stats --db $(BENCH_DIR)/aws.duckdb $(BENCH_DIR)/aws
	$(BIN) generate --stats --db $(BENCH_DIR)/aws.duckdb --format json,terraform --out $(BENCH_DIR)/out
	$(GO) run ./cmd/benchgen -provider aws-iam -out $(BENCH_DIR)/aws-iam.json
	$(BIN) report --stats --db $(BENCH_DIR)/aws.duckdb --grants $(BENCH_DIR)/aws-iam.json --out $(BENCH_DIR)/report.html
	$(GO) run ./cmd/benchgen -provider azure -events $(BENCH_EVENTS) -files $(BENCH_FILES) -out $(BENCH_DIR)/azure
	rm -rf $(BENCH_DIR)/azure.duckdb $(BENCH_DIR)/azure.duckdb.wal $(BENCH_DIR)/azure.duckdb.tmp
	$(BIN) ingest --provider azure --stats --db $(BENCH_DIR)/azure.duckdb $(BENCH_DIR)/azure
	$(BIN) generate --provider azure --stats --db $(BENCH_DIR)/azure.duckdb --format json,terraform --out $(BENCH_DIR)/out
	$(GO) run ./cmd/benchgen -provider k8s -events $(BENCH_EVENTS) -files $(BENCH_FILES) -out $(BENCH_DIR)/k8s
	rm -rf $(BENCH_DIR)/k8s.duckdb $(BENCH_DIR)/k8s.duckdb.wal $(BENCH_DIR)/k8s.duckdb.tmp
	$(BIN) ingest --provider k8s --stats --db $(BENCH_DIR)/k8s.duckdb $(BENCH_DIR)/k8s
	$(BIN) generate --provider k8s --stats --db $(BENCH_DIR)/k8s.duckdb --format yaml,terraform --out $(BENCH_DIR)/out
	$(GO) test $(GOTAGS) -run '^$$' -bench . ./usage/cloudtrail/ ./usage/azure/ ./usage/k8s/ ./synth/catalog/ ./synth/k8s/

FUZZTIME ?= 30s
# Every fuzz target, FUZZTIME each: the record decoders first.
FUZZ_TARGETS = FuzzRead:./usage/cloudtrail/ FuzzDecodeFast:./usage/cloudtrail/ FuzzRead:./usage/azure/ \
	FuzzDecodeFast:./usage/azure/ FuzzStatusCode:./usage/azure/ FuzzValue:./usage/jsonscan/ FuzzParseURL:./usage/cloudtrail/fetch/ \
	FuzzMapEvent:./synth/catalog/ FuzzMatchARN:./synth/catalog/ FuzzSynthesize:./synth/aws/ FuzzSynthesize:./synth/azure/ \
	FuzzTerraformRoundTrip:./emit/ FuzzAzureTerraformRoundTrip:./emit/ FuzzIAMJSONRoundTrip:./emit/ FuzzSafeFileName:./emit/ \
	FuzzRead:./usage/k8s/ FuzzDecodeFast:./usage/k8s/ FuzzDecode:./usage/k8s/manifest/ FuzzSynthesize:./synth/k8s/ \
	FuzzMountDir:./synth/k8s/podsec/ FuzzK8sTerraformRoundTrip:./emit/ FuzzK8sYAMLRoundTrip:./emit/ FuzzPodSecPatch:./emit/ \
	FuzzDecode:./usage/awsiam/ FuzzDecode:./usage/k8s/runtime/ FuzzCompare:./synth/report/ FuzzReportEscapeMarkdown:./emit/ \
	FuzzParse:./cmd/pare/internal/prconfig/
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "$$name $$pkg"; \
		$(GO) test $(GOTAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

clean:
	rm -rf bin out

include synth/catalog/catalog.mk
include synth/catalog/azure.mk
include synth/k8s/k8sroles.mk
