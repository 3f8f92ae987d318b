# Developer shortcuts. Each target is one command you could type yourself,
# except install and uninstall, which are for packagers.
.PHONY: all build test dist man demo install uninstall

# Where `make install` puts eich (DESTDIR: a staging root for packages).
# Debian's zsh looks in /usr/share/zsh/vendor-completions rather than
# $(PREFIX)/share/zsh/site-functions: set ZSHCOMPDIR there.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# What `eich --version` says: from a tarball without git, set them
# (make VERSION=0.1.0 COMMIT=abc1234); "dev" lets Go's own stamp speak.
VERSION = dev
COMMIT = none

# What the binary and its docs are made from, so that `sudo make install`
# after `make` builds nothing as root.
SOURCES := go.mod go.sum $(wildcard shells/eich.* shells/prompt.* internal/command/eichdocs/*.in) \
	$(shell find . -path ./.git -prune -o -name '*.go' ! -name '*_test.go' -print)

all: build man

# As releases are built: static, and with urfave/cli's help printed
# without text/template, so that every command starts faster.
build eich:
	CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_template \
		-ldflags "-X main.version=$(VERSION) -X main.commit=$(COMMIT)" -o eich .
eich: $(SOURCES)

# The same as CI: go test ./... and the fuzz targets.
test:
	scripts/test.sh

# Every release artifact, unpublished, in dist/: archives for linux/darwin x
# amd64/arm64, checksums.txt, .deb, .rpm and the Homebrew cask
# (.goreleaser.yaml; GoReleaser at the version scripts/goreleaser.sh pins).
# Unsigned unless EICH_SIGNING_KEY names a key (checksums.txt.sig).
# The first run compiles GoReleaser from source: 18 min 47 s on 2 cores.
dist:
	scripts/goreleaser.sh release --snapshot --clean

# The man page and completion files, from the command definitions:
# man ./build/man/eich.1
man build/man/eich.1:
	go run ./internal/command/eichdocs -out build -version $(VERSION)
	@echo "wrote build/man/eich.1 and build/completions/ (view the page with: man ./build/man/eich.1)"
build/man/eich.1: $(SOURCES)

# A local sshd shows the failure, then eich; no AWS account. 1 min 20 s
# on 2 cores the first time, which compiles eich and the aws stand-in;
# less once Go's build cache has them.
demo:
	scripts/demo.sh

# The binary, the man page and the bash, zsh and fish completions under
# $(DESTDIR)$(PREFIX), where those shells and man look. For your own
# account, with the hook line in your rc file, run ./install.sh instead.
install: eich build/man/eich.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 eich $(DESTDIR)$(BINDIR)/eich
	install -m 644 build/man/eich.1 $(DESTDIR)$(MANDIR)/man1/eich.1
	install -m 644 build/completions/eich.bash $(DESTDIR)$(BASHCOMPDIR)/eich
	install -m 644 build/completions/_eich $(DESTDIR)$(ZSHCOMPDIR)/_eich
	install -m 644 build/completions/eich.fish $(DESTDIR)$(FISHCOMPDIR)/eich.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/eich $(DESTDIR)$(MANDIR)/man1/eich.1 \
		$(DESTDIR)$(BASHCOMPDIR)/eich $(DESTDIR)$(ZSHCOMPDIR)/_eich \
		$(DESTDIR)$(FISHCOMPDIR)/eich.fish
