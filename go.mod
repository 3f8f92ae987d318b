module github.com/eich-dev/eich

go 1.26.0

require (
	github.com/mattn/go-isatty v0.0.24
	github.com/urfave/cli/v3 v3.14.0
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
)
