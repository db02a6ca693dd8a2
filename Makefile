# pare: `make demo` runs the main job on the shipped sample logs; `make test` runs every test.
GO      ?= go
BIN     ?= bin/pare
BENCH_EVENTS ?= 1000000
BENCH_FILES  ?= 1000
BENCH_DIR    ?= $(or $(TMPDIR),/tmp)/pare-bench

.PHONY: all build test check demo bench fuzz clean
all: build

build:
	$(GO) build -o $(BIN) ./cmd/pare

# synth must never need cgo or DuckDB: its tests also run with CGO_ENABLED=0.
test:
	CGO_ENABLED=0 $(GO) test -count=1 ./synth/...
	$(GO) test -count=1 ./...

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed; skipped"; fi
	$(GO) test -race -count=1 ./...

demo: build
	@rm -rf out/demo
	$(BIN) generate --format json,terraform --out out/demo testdata/cloudtrail/invictus-aws-dataset
	@echo
	@echo "Policies, evidence and manifest written to out/demo:"
	@cd out/demo && find . -type f | sort | head -n 20 && echo "  ... ($$(find . -type f | wc -l) files; see out/demo/manifest.json)"

# Throughput and memory: synthetic CloudTrail in the S3 delivery shape, then
# ingest into a file store and generate from it. Figures go to the README.
bench: build
	$(GO) run ./cmd/benchgen -events $(BENCH_EVENTS) -files $(BENCH_FILES) -out $(BENCH_DIR)/logs
	rm -f $(BENCH_DIR)/bench.duckdb $(BENCH_DIR)/bench.duckdb.wal
	$(BIN) ingest --stats --db $(BENCH_DIR)/bench.duckdb $(BENCH_DIR)/logs
	rm -rf $(BENCH_DIR)/out
	$(BIN) generate --stats --db $(BENCH_DIR)/bench.duckdb --format json,terraform --out $(BENCH_DIR)/out
	$(GO) test -run '^$$' -bench . ./usage/cloudtrail/ ./synth/catalog/

FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./usage/cloudtrail/
	$(GO) test -run '^$$' -fuzz '^FuzzSynthesize$$' -fuzztime $(FUZZTIME) ./synth/aws/
	$(GO) test -run '^$$' -fuzz '^FuzzTerraformRoundTrip$$' -fuzztime $(FUZZTIME) ./emit/
	$(GO) test -run '^$$' -fuzz '^FuzzSafeFileName$$' -fuzztime $(FUZZTIME) ./emit/

clean:
	rm -rf bin out

include synth/catalog/catalog.mk
include synth/catalog/azure.mk
