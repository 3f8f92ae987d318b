package e2e

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// docsPath is docs/shells.md, seen from this package's directory.
const docsPath = "../../docs/shells.md"

// promptSnippet returns the code block that follows `<!-- prompt:SHELL -->`
// in docs/shells.md, so the docs show exactly what is tested.
func promptSnippet(t *testing.T, shell string) []string {
	t.Helper()
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("read the prompt snippets: %v", err)
	}
	lang := strings.TrimPrefix(shell, "var-")
	switch lang {
	case "starship":
		lang = "toml"
	case "p10k":
		lang = "zsh"
	}
	marker := "<!-- prompt:" + shell + " -->\n```" + lang + "\n"
	_, rest, ok := strings.Cut(string(data), marker)
	if !ok {
		t.Fatalf("%s has no %q block", docsPath, marker)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("%s: the %s prompt block is not closed", docsPath, shell)
	}
	return strings.Split(strings.TrimRight(block, "\n"), "\n")
}

// status runs the bed's `eich status` as the prompt would.
func status(t *testing.T, b *testbed.Bed) string {
	t.Helper()
	s := strings.TrimSpace(eichOutput(t, b, b.Eich, "status"))
	if s == "" {
		t.Fatal("eich status printed nothing with an agent")
	}
	return s
}

// TestPromptSegments runs the zsh RPROMPT, bash PS1 and fish
// fish_right_prompt snippets from docs/shells.md in their shells: the
// prompt shows what `eich status` prints, and follows the agent.
func TestPromptSegments(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		rc := append([]string{testbed.InitLine(shell)}, promptSnippet(t, shell)...)
		sh := testbed.StartShell(t, b, shell, rc)
		want := status(t, b)
		sh.Tmux.WaitFor(testbed.CommandTimeout, "the prompt to show "+want, func() bool {
			return strings.Contains(sh.Tmux.Capture(), want)
		})
		b.Agent.AddStale(t, 3)
		want2 := status(t, b)
		if want2 == want {
			t.Fatalf("eich status did not change after adding three stale keys: %q", want)
		}
		sh.Run("true")
		sh.Tmux.WaitFor(testbed.CommandTimeout, "the prompt to show "+want2, func() bool {
			return strings.Contains(sh.Tmux.Capture(), want2)
		})
		t.Logf("%s prompt showed %q, then %q", shell, want, want2)
	})
}

// TestPromptSegmentsWithoutTheirTools covers the snippet whose tool is not
// available here: the starship module's `when` and `command` run through sh
// as starship runs them. (The powerlevel10k segment runs in the real p10k:
// TestRealFrameworks/powerlevel10k.)
func TestPromptSegmentsWithoutTheirTools(t *testing.T) {
	t.Parallel()
	b := testbed.NewBed(t, built(t))
	want := status(t, b)

	t.Run("starship", func(t *testing.T) {
		values := map[string]string{}
		for _, l := range promptSnippet(t, "starship") {
			if k, v, ok := strings.Cut(l, " = "); ok && strings.HasPrefix(v, `"`) {
				u, err := strconv.Unquote(v)
				if err != nil {
					t.Fatalf("starship snippet line %q: %v", l, err)
				}
				values[k] = u
			}
		}
		for _, key := range []string{"command", "when"} {
			if values[key] == "" {
				t.Fatalf("starship snippet has no %s", key)
			}
		}
		sh := testbed.Tool(t, "sh")
		when := exec.Command(sh, "-c", values["when"])
		when.Env = b.Env()
		if err := when.Run(); err != nil {
			t.Errorf("starship `when` %q fails with an agent: %v", values["when"], err)
		}
		cmd := exec.Command(sh, "-c", values["command"])
		cmd.Env = b.Env()
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("starship `command` %q printed %q (%v), want %q", values["command"], out, err, want)
		}
	})

}
