# synth/catalog/azure.mk: regenerate the embedded Azure catalog (resource
# provider operations and built-in roles). Included by the main Makefile.
# AZURE_DATA is a directory holding provider-operations.json,
# builtin-roles.json, LICENSE and SOURCE.txt (see
# synth/catalog/rules/azure/SOURCE). A normal build does not need it: the
# generated files are committed.

AZURE_DATA   ?= ../shared/data/azure-catalog
AZURE_DATE   ?= 2026-08-22
AZURE_SOURCE ?= endgor/azure-hub@eeeb25e, iann0036/iam-dataset@2073fa5, awsles/AzureServices; MIT

.PHONY: azure-catalog
azure-catalog:
	CGO_ENABLED=0 $(or $(GO),go) run ./synth/catalog/internal/genazure -in "$(AZURE_DATA)" -out synth/catalog/data -notes synth/catalog/rules/azure -date "$(AZURE_DATE)" -source "$(AZURE_SOURCE)"
	@ls -l synth/catalog/data/azure_operations.tsv.gz synth/catalog/data/azure_roles.tsv.gz
