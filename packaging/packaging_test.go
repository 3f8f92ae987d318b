package packaging

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// repoRoot is the checkout, whose .goreleaser.yaml the tests build with.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestCopyrightNamesEveryLinkedModule: the copyright file has a Files
// stanza for each module linked into the binary on every release
// platform, and none for a module no longer linked.
func TestCopyrightNamesEveryLinkedModule(t *testing.T) {
	root := repoRoot(t)
	linked := map[string]bool{}
	for _, goos := range []string{"linux", "darwin"} {
		cmd := exec.Command("go", "list", "-deps", "-tags", "urfave_cli_no_template",
			"-f", "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}", ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list (GOOS=%s): %v", goos, err)
		}
		for _, m := range strings.Fields(string(out)) {
			linked[m] = true
		}
	}
	if len(linked) == 0 {
		t.Fatal("go list names no module")
	}

	data, err := os.ReadFile("copyright")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	inFiles := false
	for _, line := range strings.Split(string(data), "\n") {
		field, value, isField := strings.Cut(line, ":")
		switch {
		case isField && !strings.HasPrefix(line, " "):
			inFiles = field == "Files"
			if !inFiles {
				continue
			}
		case inFiles && strings.HasPrefix(line, " "):
			value = line
		default:
			inFiles = false
			continue
		}
		for _, pattern := range strings.Fields(value) {
			// Module paths start with a host name; "*" and "go/*" are
			// eich's own code and the standard library.
			if first, _, _ := strings.Cut(pattern, "/"); strings.Contains(first, ".") {
				named[strings.TrimSuffix(pattern, "/*")] = true
			}
		}
	}
	for m := range linked {
		if !named[m] {
			t.Errorf("copyright has no Files stanza for %s, which the binary links", m)
		}
	}
	for m := range named {
		if !linked[m] {
			t.Errorf("copyright names %s, which the binary does not link", m)
		}
	}
}

// TestChangelog: packaging/changelog.yml has entries newest first, each
// with a date and a packager that Debian accepts, in the line format the
// release's check in .goreleaser.yaml looks for, each version with its
// packaging revision (0.1.0-1) as the packages name it.
func TestChangelog(t *testing.T) {
	data, err := os.ReadFile("changelog.yml")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		semver, date, packager string
		notes                  int
	}
	var entries []*entry
	for i, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "- semver: "); ok {
			entries = append(entries, &entry{semver: v})
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if len(entries) == 0 || !strings.HasPrefix(line, "  ") {
			t.Fatalf("changelog.yml:%d: want `- semver: X.Y.Z` to start each entry: %q", i+1, line)
		}
		e := entries[len(entries)-1]
		if v, ok := strings.CutPrefix(line, "  date: "); ok {
			e.date = v
		}
		if v, ok := strings.CutPrefix(line, "  packager: "); ok {
			e.packager = v
		}
		if strings.HasPrefix(strings.TrimSpace(line), "- note: ") {
			e.notes++
		}
	}
	if len(entries) == 0 {
		t.Fatal("changelog.yml has no entry")
	}
	semver := regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)-(\d+)$`)
	var last []int
	var lastDate time.Time
	for i, e := range entries {
		m := semver.FindStringSubmatch(e.semver)
		if m == nil {
			t.Errorf("entry %d: version %q is not X.Y.Z-R", i+1, e.semver)
			continue
		}
		v := make([]int, 4)
		for j := range v {
			v[j], _ = strconv.Atoi(m[j+1])
		}
		date, err := time.Parse(time.RFC3339, e.date)
		if err != nil {
			t.Errorf("%s: date %q: %v", e.semver, e.date, err)
		}
		if a, err := mail.ParseAddress(e.packager); err != nil || a.Name == "" {
			t.Errorf("%s: packager %q is not `Name <email>`", e.semver, e.packager)
		}
		if e.notes == 0 {
			t.Errorf("%s: no change noted", e.semver)
		}
		if last != nil && (slices.Compare(v, last) >= 0 || !date.Before(lastDate)) {
			t.Errorf("%s is not older than the entry above it", e.semver)
		}
		last, lastDate = v, date
	}
}

// checkout is a clone of the checkout at root in a temp dir, holding the
// working tree's files as they are now, committed or not. GoReleaser reads
// the commit from git, and only in a clone with a remote.
func checkout(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "eich")
	if out, err := exec.Command("git", "clone", "-q", root, dir).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	list := func(args ...string) []string {
		out, err := exec.Command("git", append([]string{"-C", root, "ls-files", "-z"}, args...)...).Output()
		if err != nil {
			t.Fatalf("git ls-files %v: %v", args, err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	}
	for _, name := range list("--deleted") {
		if name != "" {
			os.Remove(filepath.Join(dir, name))
		}
	}
	for _, name := range list("--cached", "--others", "--exclude-standard") {
		src, dst := filepath.Join(root, name), filepath.Join(dir, name)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted meanwhile, or a link the clone has already
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Remove(dst)
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// disturb gives every file in the checkout at dir another time and mode,
// as another machine's checkout might: a release must not show them.
func disturb(t *testing.T, dir string) {
	t.Helper()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() == ".git" {
			if err == nil {
				err = filepath.SkipDir
			}
			return err
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		mode := os.FileMode(0o664) // a umask of 002
		if info.Mode()&0o100 != 0 {
			mode = 0o775
		}
		if err := os.Chmod(path, mode); err != nil {
			return err
		}
		return os.Chtimes(path, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot builds the release snapshot of the checkout at root into a temp
// dir, as CI does, with the environment's variables added, and returns
// that dist dir.
func snapshot(t *testing.T, root string, env ...string) string {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dist := filepath.Join(dir, "dist")
	const distLine = "\ndist: dist\n"
	if strings.Count(string(cfg), distLine) != 1 {
		t.Fatalf(".goreleaser.yaml: want one line %q to point elsewhere", strings.TrimSpace(distLine))
	}
	cfgPath := filepath.Join(dir, "goreleaser.yaml")
	moved := strings.Replace(string(cfg), distLine, "\ndist: "+dist+"\n", 1)
	if err := os.WriteFile(cfgPath, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "goreleaser.sh"), "release", "--snapshot", "--clean", "--config", cfgPath)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser snapshot: %v\n%s", err, out)
	}
	return dist
}

// artifacts are the files a release uploads, by name: archives, packages,
// checksums and the cask.
func artifacts(t *testing.T, dist string) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := filepath.WalkDir(dist, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		for _, suffix := range []string{".tar.gz", ".deb", ".rpm", "checksums.txt", "checksums.txt.sig", ".rb"} {
			if strings.HasSuffix(name, suffix) {
				found[name] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func sum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// TestReleaseSnapshot builds the snapshot twice, from two clones of the
// checkout whose files differ in time and mode, signed with a throw-away
// key, and checks that every artifact is the same bytes both times, that
// the archives' entries carry the commit's time and no trace of the
// machine (owner root, fixed modes), that the signature over checksums.txt
// verifies with install.sh --verify-release, and that lintian, rpmlint and
// mandoc have nothing to report.
func TestReleaseSnapshot(t *testing.T) {
	lintian := testbed.Tool(t, "lintian")
	rpmlint := testbed.Tool(t, "rpmlint")
	mandoc := testbed.Tool(t, "mandoc")
	key, pub := newKey(t)

	root := checkout(t, repoRoot(t))
	dist1 := snapshot(t, root, "EICH_SIGNING_KEY="+key)
	first := artifacts(t, dist1)
	other := checkout(t, repoRoot(t))
	disturb(t, other)
	second := artifacts(t, snapshot(t, other, "EICH_SIGNING_KEY="+key))
	var kinds []string
	for name, path := range first {
		other, ok := second[name]
		if !ok {
			t.Errorf("the second build has no %s", name)
			continue
		}
		if a, b := sum(t, path), sum(t, other); a != b {
			t.Errorf("%s differs between two builds of one commit: %s, %s", name, a, b)
		}
		kinds = append(kinds, filepath.Ext(name))
	}
	for _, want := range []string{".gz", ".deb", ".rpm", ".txt", ".sig", ".rb"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("the snapshot built no %s file", want)
		}
	}
	if len(first) != len(second) {
		t.Errorf("the builds made %d and %d artifacts", len(first), len(second))
	}
	if rc, out := verify(t, "sh", pub, first["checksums.txt"], first["checksums.txt.sig"]); rc != 0 {
		t.Errorf("install.sh --verify-release on the snapshot's checksums.txt: exit %d\n%s", rc, out)
	}

	out, err := exec.Command("git", "-C", root, "log", "-1", "--format=%ct").Output()
	if err != nil {
		t.Fatal(err)
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	commitTime := time.Unix(sec, 0)

	rpmlintEnv, snapshotRC := rpmlintSetup(t)
	manChecked := false
	for name, path := range first {
		switch {
		case strings.HasSuffix(name, ".tar.gz"):
			page := checkArchive(t, name, path, commitTime)
			if page != "" && !manChecked {
				manChecked = true
				lint := exec.Command(mandoc, "-Tlint", "-Wstyle", page)
				if out, err := lint.CombinedOutput(); err != nil || len(out) > 0 {
					t.Errorf("mandoc -Tlint on %s's man page: %v\n%s", name, err, out)
				}
			}
		case strings.HasSuffix(name, ".deb"):
			lint := exec.Command(lintian, "--fail-on", "error,warning", "--display-info", path)
			out, err := lint.CombinedOutput()
			if err != nil || strings.Contains(string(out), "\nE: ") || strings.HasPrefix(string(out), "E: ") {
				t.Errorf("lintian %s: %v\n%s", name, err, out)
			} else if len(out) > 0 {
				t.Logf("lintian %s (information only):\n%s", name, out)
			}
		case strings.HasSuffix(name, ".rpm"):
			// rpmlint unpacks the package: nothing of it may land
			// outside its temp dir (see rpmlintSetup).
			outside := packageFiles(t, path)
			lint := exec.Command(rpmlint, "-c", filepath.Join(root, "packaging", "rpmlint.toml"), "-r", snapshotRC, path)
			lint.Env = rpmlintEnv
			out, err := lint.CombinedOutput()
			if err != nil || !strings.Contains(string(out), " 0 errors, 0 warnings") {
				t.Errorf("rpmlint %s: %v\n%s", name, err, out)
			}
			for file, was := range outside {
				if _, err := os.Lstat(file); (err == nil) != was {
					t.Errorf("rpmlint %s: %s exists: %v before, %v after: the package was unpacked into /", name, file, was, err == nil)
				}
			}
		}
	}
	if !manChecked {
		t.Error("no archive holds man/eich.1")
	}

	// install.sh takes the snapshot, its signature checked against the
	// throw-away key (pinned in a copy of the script), end to end.
	installSigned(t, repoRoot(t), dist1, pub)
}

// packageFiles lists the files of the RPM at path (rpm -qlp, which
// unpacks nothing) and whether each exists on this machine now.
func packageFiles(t *testing.T, path string) map[string]bool {
	t.Helper()
	out, err := exec.Command(testbed.Tool(t, "rpm"), "-qlp", path).Output()
	if err != nil {
		t.Fatalf("rpm -qlp %s: %v", path, err)
	}
	files := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		_, err := os.Lstat(f)
		files[f] = err == nil
	}
	if len(files) == 0 {
		t.Fatalf("rpm -qlp %s lists no file", path)
	}
	return files
}

// installSigned runs install.sh from the signed snapshot in dist, with
// pub pinned as the release key in a copy of the script, for a user
// with a temp HOME: it must say that it checked the signature, and the
// eich it installs must run.
func installSigned(t *testing.T, root, dist, pub string) {
	t.Helper()
	script := pinnedInstaller(t, root, pub)
	dir := t.TempDir()
	home, bin := filepath.Join(dir, "home"), filepath.Join(dir, "bin")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", script, "--bin-dir", bin, "--base-url", "file://"+dist, "--no-modify-rc")
	cmd.Dir = home
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "HOME" && name != "SHELL" && !strings.HasPrefix(name, "XDG_") && name != "EICH_INSTALL_BASE_URL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+home, "SHELL=/bin/bash")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verified checksums.txt (signed by the eich release key)") {
		t.Fatalf("install.sh from the signed snapshot: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "SHA-256 only") {
		t.Errorf("install.sh from the signed snapshot did not check the signature:\n%s", out)
	}
	if out, err := exec.Command(filepath.Join(bin, "eich"), "--version").CombinedOutput(); err != nil {
		t.Errorf("the installed eich --version: %v\n%s", err, out)
	}
}

// pinnedInstaller writes a copy of root's install.sh, outside any
// checkout, whose pinned release key (its one RELEASE_KEY line) is pub,
// and returns its path: the tests sign with throw-away keys, which
// nothing but such a copy trusts.
func pinnedInstaller(t *testing.T, root, pub string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	pinned := regexp.MustCompile(`(?m)^RELEASE_KEY='[^'\n]*'$`)
	if n := len(pinned.FindAll(data, -1)); n != 1 {
		t.Fatalf("install.sh has %d lines RELEASE_KEY='…', want one", n)
	}
	script := filepath.Join(t.TempDir(), "install.sh")
	if err := os.WriteFile(script, pinned.ReplaceAllLiteral(data, []byte("RELEASE_KEY='"+pub+"'")), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// checkArchive checks each entry of a release archive: the commit's time,
// owner and group root, mode 0755 for the binary and 0644 for the rest.
// It returns the path of the man page, unpacked into a temp dir.
func checkArchive(t *testing.T, name, path string, commitTime time.Time) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tr := tar.NewReader(zr)
	page := ""
	var entries []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		entries = append(entries, h.Name)
		mode := int64(0o644)
		if h.Name == "eich" {
			mode = 0o755
		}
		if !h.ModTime.Equal(commitTime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "root" || h.Gname != "root" || h.Mode&0o7777 != mode {
			t.Errorf("%s: %s: time %v, owner %d/%s, group %d/%s, mode %o; want %v, root, root, %o",
				name, h.Name, h.ModTime, h.Uid, h.Uname, h.Gid, h.Gname, h.Mode, commitTime, mode)
		}
		if h.Name == "man/eich.1" {
			page = filepath.Join(t.TempDir(), "eich.1")
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(page, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(entries)
	want := []string{"CHANGELOG.md", "LICENSE", "README.md", "completions/_eich", "completions/eich.bash",
		"completions/eich.fish", "eich", "man/eich.1"}
	if !slices.Equal(entries, want) {
		t.Errorf("%s holds %q, want %q", name, entries, want)
	}
	return page
}

// newKey makes a throw-away Ed25519 key and returns its file and its
// public line.
func newKey(t *testing.T) (string, string) {
	t.Helper()
	keygen := testbed.Tool(t, "ssh-keygen")
	key := filepath.Join(t.TempDir(), "release-key")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "eich release", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return key, strings.TrimSpace(string(pub))
}

// sign signs file in namespace with key, as the release does with "file".
func sign(t *testing.T, key, namespace, file string) string {
	t.Helper()
	os.Remove(file + ".sig")
	if out, err := exec.Command("ssh-keygen", "-Y", "sign", "-n", namespace, "-f", key, file).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	return file + ".sig"
}

// verify runs `install.sh --verify-release ARGS…` under shell, with pub
// pinned as the release key in a copy of the script, and returns its exit
// status and output.
func verify(t *testing.T, shell, pub string, args ...string) (int, string) {
	t.Helper()
	return verifyEnv(t, shell, nil, pub, args...)
}

func verifyEnv(t *testing.T, shell string, env []string, pub string, args ...string) (int, string) {
	t.Helper()
	script := pinnedInstaller(t, repoRoot(t), pub)
	cmd := exec.Command(testbed.Tool(t, shell), append([]string{script, "--verify-release"}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestVerifyRelease: install.sh's check of checksums.txt's signature, as
// `install.sh --verify-release` runs it, passes only the pinned key's
// signature in the "file" namespace over the file as signed, in sh (dash)
// and bash, and tells a failed check (1) from one that cannot be made (2).
func TestVerifyRelease(t *testing.T) {
	key, pub := newKey(t)
	_, otherPub := newKey(t)
	otherKey, _ := newKey(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "checksums.txt")
	if err := os.WriteFile(file, []byte("0123  eich_0.1.0_linux_amd64.tar.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := sign(t, key, "file", file)
	// Each signature is moved aside before the next is made beside file.
	keep := func(sig, name string) string {
		kept := filepath.Join(dir, name)
		if err := os.Rename(sig, kept); err != nil {
			t.Fatal(err)
		}
		return kept
	}
	good = keep(good, "good.sig")
	otherNamespace := keep(sign(t, key, "git", file), "git.sig")
	otherSigner := keep(sign(t, otherKey, "file", file), "other.sig")
	changed := filepath.Join(dir, "changed.txt")
	if err := os.WriteFile(changed, []byte("0123  eich_0.1.0_linux_amd64.tar.gz\nffff  evil.tar.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, shell := range []string{"dash", "bash"} {
		cases := []struct {
			what   string
			pinned string
			args   []string
			want   int
		}{
			{"the key's signature", pub, []string{file, good}, 0},
			{"another key pinned", otherPub, []string{file, good}, 1},
			{"signed by another key", pub, []string{file, otherSigner}, 1},
			{"signed for git, not for files", pub, []string{file, otherNamespace}, 1},
			{"a changed file", pub, []string{changed, good}, 1},
			{"no signature file", pub, []string{file, filepath.Join(dir, "missing.sig")}, 1},
			{"no key pinned", "", []string{file, good}, 2},
			{"one argument", pub, []string{file}, 2},
			{"three arguments", pub, []string{file, good, pub}, 2},
		}
		for _, c := range cases {
			if rc, out := verify(t, shell, c.pinned, c.args...); rc != c.want {
				t.Errorf("%s, %s: exit %d, want %d\n%s", shell, c.what, rc, c.want, out)
			}
		}
		// Without ssh-keygen on PATH nothing can be checked.
		empty := t.TempDir()
		if rc, out := verifyEnv(t, shell, []string{"PATH=" + empty}, pub, file, good); rc != 2 {
			t.Errorf("%s, no ssh-keygen: exit %d, want 2\n%s", shell, rc, out)
		}
	}
}

// rpmlintSetup returns the environment rpmlint runs in and an rpmlintrc
// for snapshots. rpmlint unpacks a package with `rpm2cpio | cpio -id` in
// a temp dir, but nfpm's RPMs name their files by absolute paths, which
// GNU cpio writes there, outside the temp dir: into /usr when run as root.
// A cpio first on PATH that keeps every file under the temp dir prevents
// that. A snapshot's version (0.0.0~SNAPSHOT_…) is, unlike a release's,
// not in packaging/changelog.yml.
func rpmlintSetup(t *testing.T) ([]string, string) {
	t.Helper()
	cpio := testbed.Tool(t, "cpio")
	dir := t.TempDir()
	wrapper := "#!/bin/sh\nexec " + cpio + " --no-absolute-filenames \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "cpio"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "snapshot.rpmlintrc")
	if err := os.WriteFile(rc, []byte("addFilter(\"incoherent-version-in-changelog\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH")), rc
}
