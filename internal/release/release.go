// Package release builds eich's release archives: for each target a
// CGO_ENABLED=0, -trimpath binary with version and commit set through
// ldflags, packed as eich_<version>_<os>_<arch>.tar.gz together with
// README.md, LICENSE and CHANGELOG.md (those present), the shell completions
// and the man page, plus a checksums.txt in sha256sum format. install.sh
// reads exactly this layout, and is copied beside them. The command is internal/release/cmd/dist
// (`make dist`).
package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// BuildTags leave urfave/cli's markdown and man-page code out of the
// binary: eich renders its man page itself (internal/completion), and the
// start-up of those packages cost every command ≈ 0.3 ms.
const BuildTags = "urfave_cli_no_docs"

// Target is one GOOS/GOARCH pair.
type Target struct {
	OS, Arch string
}

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Targets are the platforms eich is released for.
func Targets() []Target {
	return []Target{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}}
}

// Host is the target of the machine running this program.
func Host() Target { return Target{runtime.GOOS, runtime.GOARCH} }

// ParseTarget reads "os/arch".
func ParseTarget(s string) (Target, error) {
	osName, arch, ok := strings.Cut(s, "/")
	if !ok || osName == "" || arch == "" || strings.Contains(arch, "/") {
		return Target{}, fmt.Errorf("target %q: want os/arch, e.g. linux/amd64", s)
	}
	return Target{osName, arch}, nil
}

// Options say what to build.
type Options struct {
	ModuleDir string   // the eich checkout (holds go.mod)
	OutDir    string   // where the archives and checksums.txt go
	Version   string   // without a leading v; "" = from git, else "dev"
	Commit    string   // "" = from git, else "none"
	Targets   []Target // nil = Targets()
	Go        string   // the go command; "" = "go" from PATH
	Log       io.Writer
}

// Archive is one built archive.
type Archive struct {
	Target Target
	Name   string // eich_<version>_<os>_<arch>.tar.gz
	Path   string
	SHA256 string
}

// ArchiveName is the file name install.sh looks for.
func ArchiveName(version string, t Target) string {
	return fmt.Sprintf("eich_%s_%s_%s.tar.gz", version, t.OS, t.Arch)
}

// GitVersion returns `git describe --tags --always --dirty` without a
// leading v, and the short commit, or "dev" and "none" when git cannot say.
func GitVersion(dir string) (version, commit string) {
	version, commit = "dev", "none"
	if out, err := gitOutput(dir, "describe", "--tags", "--always", "--dirty"); err == nil && out != "" {
		version = strings.TrimPrefix(out, "v")
	}
	if out, err := gitOutput(dir, "rev-parse", "--short", "HEAD"); err == nil && out != "" {
		commit = out
	}
	return version, commit
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// Build cross-compiles and packs every target, then writes checksums.txt.
// Old eich_*.tar.gz archives and checksums.txt in OutDir are removed first,
// so the checksum file always describes exactly the archives beside it.
func Build(o Options) ([]Archive, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Targets == nil {
		o.Targets = Targets()
	}
	if len(o.Targets) == 0 {
		return nil, fmt.Errorf("dist: no targets")
	}
	mod, err := filepath.Abs(o.ModuleDir)
	if err != nil {
		return nil, fmt.Errorf("dist: module dir: %w", err)
	}
	if _, err := os.Stat(filepath.Join(mod, "go.mod")); err != nil {
		return nil, fmt.Errorf("dist: %s is not the eich checkout: %w", mod, err)
	}
	gitV, gitC := GitVersion(mod)
	if o.Version == "" {
		o.Version = gitV
	}
	o.Version = strings.TrimPrefix(o.Version, "v")
	if o.Commit == "" {
		o.Commit = gitC
	}
	if strings.ContainsAny(o.Version, "/_ \t\n") || o.Version == "" {
		return nil, fmt.Errorf("dist: version %q: no slashes, underscores or spaces", o.Version)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	if err := clean(o.OutDir); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "eich-dist-")
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	defer os.RemoveAll(work)

	// Completions and the man page come from a binary that runs here.
	extras, err := generatedFiles(o, mod, work)
	if err != nil {
		return nil, err
	}
	docs := docFiles(mod)

	var archives []Archive
	for _, t := range o.Targets {
		bin := filepath.Join(work, t.OS+"_"+t.Arch, "eich")
		if err := goBuild(o, mod, t, bin); err != nil {
			return nil, err
		}
		a := Archive{Target: t, Name: ArchiveName(o.Version, t)}
		a.Path = filepath.Join(o.OutDir, a.Name)
		files := append([]file{{name: "eich", path: bin, mode: 0o755}}, docs...)
		files = append(files, extras...)
		if a.SHA256, err = pack(a.Path, files); err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Log, "dist: %s\n", a.Path)
		archives = append(archives, a)
	}
	if err := WriteChecksums(filepath.Join(o.OutDir, "checksums.txt"), archives); err != nil {
		return nil, err
	}
	// install.sh goes beside them, for `curl …/releases/latest/download/install.sh | sh`.
	if script, err := os.ReadFile(filepath.Join(mod, "install.sh")); err == nil {
		if err := os.WriteFile(filepath.Join(o.OutDir, "install.sh"), script, 0o755); err != nil {
			return nil, fmt.Errorf("dist: %w", err)
		}
	}
	fmt.Fprintf(o.Log, "dist: %s\n", filepath.Join(o.OutDir, "checksums.txt"))
	return archives, nil
}

// clean removes earlier archives and the checksum file from dir.
func clean(dir string) error {
	old, err := filepath.Glob(filepath.Join(dir, "eich_*.tar.gz"))
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	old = append(old, filepath.Join(dir, "checksums.txt"))
	for _, p := range old {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("dist: remove old %s: %w", p, err)
		}
	}
	return nil
}

func goBuild(o Options, mod string, t Target, out string) error {
	ldflags := fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s", o.Version, o.Commit)
	cmd := exec.Command(o.Go, "build", "-trimpath", "-tags", BuildTags, "-ldflags", ldflags, "-o", out, ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dist: go build for %s: %w\n%s", t, err, msg)
	}
	return nil
}

// file is one archive member.
type file struct {
	name string // path inside the archive
	path string // on disk, or
	data []byte // contents
	mode int64
}

// docFiles are the repository's documents that exist.
func docFiles(mod string) []file {
	var files []file
	for _, name := range []string{"README.md", "LICENSE", "CHANGELOG.md"} {
		if _, err := os.Stat(filepath.Join(mod, name)); err == nil {
			files = append(files, file{name: name, path: filepath.Join(mod, name), mode: 0o644})
		}
	}
	return files
}

// generatedFiles builds eich for the host and asks it for the completions
// and the man page.
func generatedFiles(o Options, mod, work string) ([]file, error) {
	host := filepath.Join(work, "host", "eich")
	if err := goBuild(o, mod, Host(), host); err != nil {
		return nil, err
	}
	var files []file
	for _, g := range []struct {
		name string
		args []string
	}{
		{"completions/eich.bash", []string{"completion", "bash"}},
		{"completions/_eich", []string{"completion", "zsh"}},
		{"completions/eich.fish", []string{"completion", "fish"}},
		{"man/eich.1", []string{"man"}},
	} {
		out, err := exec.Command(host, g.args...).Output()
		if err != nil {
			return nil, fmt.Errorf("dist: eich %s: %w", strings.Join(g.args, " "), err)
		}
		files = append(files, file{name: g.name, data: out, mode: 0o644})
	}
	return files, nil
}

// pack writes a gzipped tar of files to path (fixed times and owners, so
// the same inputs give the same bytes) and returns its SHA-256.
func pack(path string, files []file) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	dirs := map[string]bool{}
	for _, f := range files {
		data := f.data
		if f.path != "" {
			var err error
			if data, err = os.ReadFile(f.path); err != nil {
				return "", fmt.Errorf("dist: %w", err)
			}
		}
		if d := filepath.Dir(f.name); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: stamp, Format: tar.FormatUSTAR}); err != nil {
				return "", fmt.Errorf("dist: pack %s: %w", path, err)
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(data)), ModTime: stamp, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", fmt.Errorf("dist: pack %s: %w", path, err)
		}
		if _, err := tw.Write(data); err != nil {
			return "", fmt.Errorf("dist: pack %s: %w", path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("dist: pack %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("dist: pack %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// WriteChecksums writes "<sha256>  <name>" lines, sorted by name, as
// sha256sum does.
func WriteChecksums(path string, archives []Archive) error {
	sorted := append([]Archive(nil), archives...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var b strings.Builder
	for _, a := range sorted {
		fmt.Fprintf(&b, "%s  %s\n", a.SHA256, a.Name)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("dist: checksums: %w", err)
	}
	return nil
}
