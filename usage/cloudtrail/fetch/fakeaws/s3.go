package fakeaws

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// S3 is an in-memory, path-style S3 endpoint: GET /BUCKET?list-type=2 lists,
// GET /BUCKET/KEY reads. Use it as an http.Handler (httptest.NewServer).
type S3 struct {
	// MaxKeys caps each listing page (S3's default is 1000); set it low to
	// exercise continuation tokens.
	MaxKeys int

	mu       sync.Mutex
	objects  map[string]map[string][]byte // bucket → key → body
	modTime  time.Time
	requests []Request
}

// Request is one request an S3 fake saw.
type Request struct {
	Op        string // "ListObjectsV2" or "GetObject"
	Bucket    string
	Prefix    string // ListObjectsV2
	Delimiter string // ListObjectsV2
	Token     string // ListObjectsV2 continuation-token
	Key       string // GetObject
}

// NewS3 returns an empty S3 fake.
func NewS3() *S3 {
	return &S3{MaxKeys: 1000, objects: make(map[string]map[string][]byte), modTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Put stores an object.
func (s *S3) Put(bucket, key string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects[bucket] == nil {
		s.objects[bucket] = make(map[string][]byte)
	}
	s.objects[bucket][key] = body
}

// Requests returns the requests seen so far, in order.
func (s *S3) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the requests seen.
func (s *S3) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *S3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, err := url.PathUnescape(r.URL.EscapedPath())
	if err != nil {
		s3Error(w, http.StatusBadRequest, "InvalidURI", err.Error())
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "fake supports GET only")
		return
	}
	if key == "" && r.URL.Query().Get("list-type") == "2" {
		s.list(w, r, bucket)
		return
	}
	if key == "" {
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "fake supports ListObjectsV2 only")
		return
	}
	s.get(w, r, bucket, key)
}

type listResult struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	KeyCount              int            `xml:"KeyCount"`
	IsTruncated           bool           `xml:"IsTruncated"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	Contents              []listObject   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type listObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int    `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

func (s *S3) list(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix, delim, token := q.Get("prefix"), q.Get("delimiter"), q.Get("continuation-token")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Op: "ListObjectsV2", Bucket: bucket, Prefix: prefix, Delimiter: delim, Token: token})
	objs, ok := s.objects[bucket]
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	max := s.MaxKeys
	if m, err := strconv.Atoi(q.Get("max-keys")); err == nil && m > 0 && m < max {
		max = m
	}
	// Entries in key order: keys, and common prefixes rolled up once.
	type entry struct {
		name     string
		isPrefix bool
	}
	var keys []string
	for k := range objs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var entries []entry
	seen := make(map[string]bool)
	for _, k := range keys {
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					entries = append(entries, entry{cp, true})
				}
				continue
			}
		}
		entries = append(entries, entry{k, false})
	}
	start := 0
	if token != "" {
		after, err := hex.DecodeString(token)
		if err != nil {
			s3Error(w, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
			return
		}
		start = sort.Search(len(entries), func(i int) bool { return entries[i].name > string(after) })
	}
	res := listResult{Name: bucket, Prefix: prefix, Delimiter: delim, MaxKeys: max, ContinuationToken: token}
	end := min(start+max, len(entries))
	for _, e := range entries[start:end] {
		if e.isPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{e.name})
			continue
		}
		sum := md5.Sum(objs[e.name])
		res.Contents = append(res.Contents, listObject{
			Key: e.name, LastModified: s.modTime.Format("2006-01-02T15:04:05.000Z"),
			ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Size: len(objs[e.name]), StorageClass: "STANDARD",
		})
	}
	res.KeyCount = end - start
	if end < len(entries) {
		res.IsTruncated = true
		res.NextContinuationToken = hex.EncodeToString([]byte(entries[end-1].name))
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(res)
}

func (s *S3) get(w http.ResponseWriter, r *http.Request, bucket, key string) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Op: "GetObject", Bucket: bucket, Key: key})
	body, ok := s.objects[bucket][key]
	s.mu.Unlock()
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	sum := md5.Sum(body)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Last-Modified", s.modTime.Format(http.TimeFormat))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	type errorBody struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(errorBody{Code: code, Message: msg})
}
