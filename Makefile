# Developer shortcuts. Each target is one command you could type yourself.
.PHONY: all build test dist man demo install

all: build

# As releases are built: static, and with urfave/cli's help printed
# without text/template, so that every command starts faster.
build:
	CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_template -o eich .

# The same as CI: go test ./... and the fuzz targets.
test:
	scripts/test.sh

# Every release artifact, unpublished, in dist/: archives for linux/darwin x
# amd64/arm64, checksums.txt, .deb, .rpm and the Homebrew formula
# (.goreleaser.yaml; GoReleaser at the version scripts/goreleaser.sh pins).
dist:
	scripts/goreleaser.sh release --snapshot --clean

# The man page and completion files, from the command definitions:
# man ./build/man/eich.1
man:
	go run ./internal/command/eichdocs -out build
	@echo "wrote build/man/eich.1 and build/completions/ (view the page with: man ./build/man/eich.1)"

# Under a minute, no AWS account: a local sshd shows the failure, then eich.
demo:
	scripts/demo.sh

# Build from this checkout and install into ~/.local/bin (asks before
# touching your rc file).
install:
	./install.sh
