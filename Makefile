# Developer shortcuts. Each target is one command you could type yourself.
.PHONY: all build test dist man demo install

all: build

# As releases are built: static, without urfave/cli's docs code (eich
# renders its own man page), so that every command starts faster.
build:
	CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -o eich .

# The same as CI: go test ./... and the fuzz targets.
test:
	scripts/test.sh

# Release archives for linux/darwin x amd64/arm64 and checksums.txt in dist/.
# VERSION=0.1.0 make dist to override `git describe`.
dist:
	go run ./internal/release/cmd/dist -out dist $(if $(VERSION),-version $(VERSION))

# The man page, generated from the command definitions: man ./dist/eich.1
man:
	mkdir -p dist
	go run . man > dist/eich.1
	@echo "wrote dist/eich.1 (view it with: man ./dist/eich.1)"

# Under a minute, no AWS account: a local sshd shows the failure, then eich.
demo:
	scripts/demo.sh

# Build from this checkout and install into ~/.local/bin (asks before
# touching your rc file).
install:
	./install.sh
