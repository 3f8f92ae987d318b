package shells

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/internal/testbed"
)

// cmdlineDir is the package that decides what an EIC line is.
const cmdlineDir = "../hooks/cmdline"

// eicCorpus returns the command lines of cmdline's own tests (every string
// literal in its test files, and its fuzz corpus) and the extra names its
// tests use (`extra := []string{…}`), so that lines added there, in any
// table shape, are checked here too. A test function that declares
// `const eic = "…"` builds its lines as PREFIX + " " + eic: each string
// literal in it is taken that way too. Which of them are EIC lines is for
// cmdline.IsEIC to say.
func eicCorpus(t *testing.T) (lines, extra []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(cmdlineDir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s: %v", cmdlineDir, err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if eic, ok := eicConst(n); ok {
					ast.Inspect(n, func(m ast.Node) bool {
						if s, ok := m.(*ast.BasicLit); ok {
							if prefix, ok := stringLit(s); ok && prefix != eic {
								lines = append(lines, prefix+" "+eic)
							}
						}
						return true
					})
				}
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok {
					lines = append(lines, s)
				}
			case *ast.AssignStmt:
				if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name == "extra" && len(n.Rhs) == 1 {
					if lit, ok := n.Rhs[0].(*ast.CompositeLit); ok {
						for _, e := range lit.Elts {
							if s, ok := stringLit(e); ok && !slices.Contains(extra, s) {
								extra = append(extra, s)
							}
						}
					}
				}
			}
			return true
		})
	}
	seeds, _ := filepath.Glob(filepath.Join(cmdlineDir, "testdata", "fuzz", "*", "*"))
	for _, seed := range seeds {
		data, err := os.ReadFile(seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "string("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(v, ")")); err == nil {
					lines = append(lines, s)
				}
			}
		}
	}
	if len(lines) < 20 || len(extra) == 0 || !slices.Contains(lines, "sudo -iu bob aws ec2-instance-connect ssh --instance-id i-1") {
		t.Fatalf("read %d lines and extra names %q from %s's tests; its table changed shape", len(lines), extra, cmdlineDir)
	}
	return lines, extra
}

// eicConst returns the value of `const eic = "…"` declared in fn's body.
func eicConst(fn *ast.FuncDecl) (string, bool) {
	if fn.Body == nil {
		return "", false
	}
	for _, st := range fn.Body.List {
		decl, ok := st.(*ast.DeclStmt)
		if !ok {
			continue
		}
		gen, ok := decl.Decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			v, ok := spec.(*ast.ValueSpec)
			if ok && len(v.Names) == 1 && v.Names[0].Name == "eic" && len(v.Values) == 1 {
				return stringLit(v.Values[0])
			}
		}
	}
	return "", false
}

// stringLit returns the value of a Go string literal.
func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// preFilters run, in each shell, the test the hook applies to every line
// before anything else, with _eich_line (or _eich_command) replaced by a
// function that records the pass: "y" for a line let through, "n" for one
// stopped. bash has two: the DEBUG trap's `case` (here on the whole line)
// and the frameworks' preexec hook.
var preFilters = map[string][]string{
	"zsh": {"zsh", "-f", "-c", `eval "$(<$1)"; shift
_eich_line() { r=y }
for l in "$@"; do r=n; _eich_preexec "" "" "$l"; print -rn -- $r; done`, "x"},
	"bash": {"bash", "-c", `eval "$(cat "$1")"; shift
f=$(declare -f _eich_debug); eval "${f//\$BASH_COMMAND/\$l}"
_eich_command() { r=y; }
_eich_line() { p=y; }
for l in "$@"; do r=n p=n; _eich_debug; _eich_preexec "$l"; printf %s "$r$p"; done`, "x"},
	"fish": {"fish", "--no-config", "-c", `source $argv[1]
function _eich_line; set -g r y; end
for l in $argv[2..-1]; set -g r n; _eich_preexec "$l"; printf %s $r; end`},
}

// TestPreFilterPassesEveryEICLine: every line of cmdline's test corpus that
// cmdline.IsEIC accepts gets through each shell's pre-filter (which may let
// more through: eich decides).
func TestPreFilterPassesEveryEICLine(t *testing.T) {
	lines, extra := eicCorpus(t)
	var eic []string
	for _, l := range lines {
		if cmdline.IsEIC(l, extra) {
			eic = append(eic, l)
		}
	}
	for _, shell := range Names() {
		c := preFilters[shell]
		binaries := []string{c[0]}
		if shell == "bash" {
			binaries = testbed.Bashes(t) // with EICH_THIRD_PARTY, every build
		}
		for _, bin := range binaries {
			got := run(t, bin, append(append(c[1:], render(t, shell, "/e", extra)), eic...)...)
			per := len(got) / max(len(eic), 1)
			if len(got) != per*len(eic) || per == 0 {
				t.Fatalf("%s printed %q for %d lines", bin, got, len(eic))
			}
			for i, l := range eic {
				if r := got[i*per : (i+1)*per]; strings.Contains(r, "n") {
					t.Errorf("%s: the pre-filter stops the EIC line %q (%s)", bin, l, r)
				}
			}
		}
	}
	t.Logf("%d EIC lines of %d in cmdline's corpus, extra names %q", len(eic), len(lines), extra)
}

// TestMultiLineCorpusAsShellsRunIt runs each line of cmdline's corpus that
// spans several lines (here-documents, quoted text, continued lines) in
// every real shell, with aws, mssh and ssh as functions that leave a
// mark, and checks that a login command runs exactly when cmdline.IsEIC
// says so: a here-document's body is text to the shells too. fish has
// no here-documents: it refuses every line with <<, which therefore
// never runs there; the other lines it parses must agree as well.
func TestMultiLineCorpusAsShellsRunIt(t *testing.T) {
	all, extra := eicCorpus(t)
	var lines []string
	var want strings.Builder
	for _, l := range all {
		if strings.Contains(l, "\n") && !slices.Contains(lines, l) {
			lines = append(lines, l)
			want.WriteString(map[bool]string{true: "y", false: "n"}[cmdline.IsEIC(l, extra)])
		}
	}
	if !strings.Contains(want.String(), "y") || !strings.Contains(want.String(), "n") {
		t.Fatalf("the corpus has no multi-line lines of both kinds: %q", want.String())
	}
	// The lines run in a directory of their own (some write files); a
	// mark in $R means a login command ran.
	const sh = `R=$1; cd "$2" || exit 1; shift 2
aws() { echo aws >>"$R"; }; mssh() { echo mssh >>"$R"; }; ssh() { cat >/dev/null; }
for l in "$@"; do
	: >"$R"; (eval "$l") >/dev/null 2>&1 </dev/null
	if [ -s "$R" ]; then printf y; else printf n; fi
done`
	const fish = `set R $argv[1]; cd $argv[2]; or exit 1
function aws; echo aws >>$R; end; function mssh; echo mssh >>$R; end; function ssh; cat >/dev/null; end
for l in $argv[3..-1]
	if not printf '%s' $l | fish --no-config --no-execute 2>/dev/null
		printf s; continue
	end
	echo -n >$R; eval $l >/dev/null 2>&1 </dev/null
	test -s $R; and printf y; or printf n
end`
	mark, dir := filepath.Join(t.TempDir(), "ran"), t.TempDir()
	var runs [][]string
	for _, bash := range testbed.Bashes(t) {
		runs = append(runs, []string{bash, "-c", sh, "x", mark, dir})
	}
	runs = append(runs, []string{"zsh", "-f", "-c", sh, "x", mark, dir},
		[]string{"fish", "--no-config", "-c", fish, mark, dir})
	for _, r := range runs {
		got := run(t, r[0], append(r[1:], lines...)...)
		if len(got) != len(lines) {
			t.Fatalf("%s printed %q for %d lines", r[0], got, len(lines))
		}
		for i, l := range lines {
			g, w := got[i], want.String()[i]
			switch {
			case g == 's' && r[0] == "fish" && strings.Contains(l, "<<"):
			case g == 's':
				t.Errorf("fish cannot parse %q", l)
			case g != w:
				t.Errorf("%s: %q runs a login: %c; cmdline.IsEIC says %c", r[0], l, g, w)
			}
		}
	}
	t.Logf("%d multi-line lines: %s", len(lines), want.String())
}
