# The one build of the Lambda binary: `sam build` runs it (template.yaml,
# BuildMethod makefile), and so do .ci/run and the e2e tests.
#
# How SAM runs it (aws-lambda-builders, workflows/custom_make; aws-sam-cli,
# samcli/lib/build/app_builder.py): it copies the function's CodeUri to a
# scratch directory (leaving out .aws-sam and .git), then runs
# `make --makefile <CodeUri>/Makefile build-<LogicalId>` in that copy, with
# ARTIFACTS_DIR set to the function's build directory
# (.aws-sam/build/<LogicalId>, absolute). Each makefile function is built on
# its own. CodeUri is therefore the module root ("."), where this file is:
# the copy has go.mod, function/ and internal/, and the recipe builds from the
# current directory, the copy.
#
# Run it yourself from the module root:
#   make build-SumFunction ARTIFACTS_DIR=/tmp/out                # arm64, as deployed
#   make build-SumFunction ARTIFACTS_DIR=/tmp/out GOARCH=amd64   # another architecture
# GOARCH is the template's Architectures; only a command-line GOARCH changes
# it (a GOARCH in the environment does not), so `sam build` always builds arm64.

GOARCH = arm64

# CGO_ENABLED=0: a static binary, whatever the host (provided.al2023 has its
# own glibc). lambda.norpc: aws-lambda-go without the net/rpc runtime, which
# provided.* runtimes never use. -trimpath and -buildvcs=false: the same bytes
# whether built here, in SAM's scratch copy (no .git) or elsewhere.
# -s -w: no symbol table or DWARF.
GOFLAGS_BUILD = -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w'

.PHONY: build-SumFunction build-TotalFunction

# The two functions of the stack are the same binary.
build-SumFunction build-TotalFunction:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set: make $@ ARTIFACTS_DIR=dir))
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build $(GOFLAGS_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ./function
