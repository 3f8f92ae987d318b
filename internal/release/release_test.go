package release

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestTargets(t *testing.T) {
	want := []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"}
	var got []string
	for _, tg := range Targets() {
		got = append(got, tg.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Targets() = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "linux", "linux/", "/amd64", "linux/amd64/v3"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q): want an error", bad)
		}
	}
	if tg, err := ParseTarget("darwin/arm64"); err != nil || tg != (Target{"darwin", "arm64"}) {
		t.Errorf("ParseTarget(darwin/arm64) = %v, %v", tg, err)
	}
	if got := ArchiveName("0.1.0", Target{"linux", "arm64"}); got != "eich_0.1.0_linux_arm64.tar.gz" {
		t.Errorf("ArchiveName = %q", got)
	}
}

func TestPackAndChecksums(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho eich\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []file{
		{name: "eich", path: bin, mode: 0o755},
		{name: "completions/_eich", data: []byte("#compdef eich\n"), mode: 0o644},
		{name: "completions/eich.fish", data: []byte("complete -c eich\n"), mode: 0o644},
	}
	a, b := filepath.Join(dir, "a.tar.gz"), filepath.Join(dir, "b.tar.gz")
	sumA, err := pack(a, files)
	if err != nil {
		t.Fatal(err)
	}
	sumB, err := pack(b, files)
	if err != nil {
		t.Fatal(err)
	}
	if sumA != sumB {
		t.Errorf("the same files packed twice differ: %s %s", sumA, sumB)
	}
	data, _ := os.ReadFile(a)
	if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sumA {
		t.Errorf("pack returned %s, file hashes to %x", sumA, h)
	}

	f, _ := os.Open(a)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "eich" && h.Mode != 0o755 {
			t.Errorf("eich has mode %o", h.Mode)
		}
	}
	if want := []string{"eich", "completions/", "completions/_eich", "completions/eich.fish"}; !reflect.DeepEqual(names, want) {
		t.Errorf("members %v, want %v", names, want)
	}

	sums := filepath.Join(dir, "checksums.txt")
	err = WriteChecksums(sums, []Archive{{Name: "eich_1_linux_arm64.tar.gz", SHA256: "bb"}, {Name: "eich_1_darwin_amd64.tar.gz", SHA256: "aa"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(sums)
	if want := "aa  eich_1_darwin_amd64.tar.gz\nbb  eich_1_linux_arm64.tar.gz\n"; string(got) != want {
		t.Errorf("checksums.txt = %q, want %q", got, want)
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	if _, err := Build(Options{ModuleDir: t.TempDir(), OutDir: t.TempDir()}); err == nil {
		t.Error("Build outside a checkout: want an error")
	}
	if _, err := Build(Options{ModuleDir: "../..", OutDir: t.TempDir(), Version: "1/2"}); err == nil {
		t.Error("Build with a slash in the version: want an error")
	}
	if _, err := Build(Options{ModuleDir: "../..", OutDir: t.TempDir(), Targets: []Target{}}); err == nil {
		t.Error("Build with no targets: want an error")
	}
}
