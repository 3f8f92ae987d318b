// Command dist builds eich's release archives and checksums.txt into a
// directory (default dist/):
//
//	go run ./internal/release/cmd/dist [-version V] [-commit C] [-out DIR] [-target os/arch]…
//
// Without -target it builds linux and darwin for amd64 and arm64; -target
// host builds for this machine only. Version and commit default to what
// git says about the checkout.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/eich-dev/eich/internal/release"
)

type targetList []release.Target

func (l *targetList) String() string {
	var s []string
	for _, t := range *l {
		s = append(s, t.String())
	}
	return strings.Join(s, ",")
}

func (l *targetList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part == "host" {
			*l = append(*l, release.Host())
			continue
		}
		t, err := release.ParseTarget(part)
		if err != nil {
			return err
		}
		*l = append(*l, t)
	}
	return nil
}

func main() {
	var targets targetList
	o := release.Options{Log: os.Stderr}
	flag.StringVar(&o.OutDir, "out", "dist", "output directory")
	flag.StringVar(&o.ModuleDir, "module", ".", "the eich checkout")
	flag.StringVar(&o.Version, "version", "", "version (default: git describe --tags --always --dirty)")
	flag.StringVar(&o.Commit, "commit", "", "commit (default: git rev-parse --short HEAD)")
	flag.Var(&targets, "target", "os/arch to build, repeatable or comma-separated; \"host\" for this machine (default: linux and darwin × amd64 and arm64)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "dist: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if len(targets) > 0 {
		o.Targets = targets
	}
	if _, err := release.Build(o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
