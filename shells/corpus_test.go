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
// table shape, are checked here too. Which of them are EIC lines is for
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
	if len(lines) < 20 || len(extra) == 0 {
		t.Fatalf("read %d lines and extra names %q from %s's tests; its table changed shape", len(lines), extra, cmdlineDir)
	}
	return lines, extra
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
