package cmdline

import (
	"os/exec"
	"strings"
	"testing"
)

func TestIsEIC(t *testing.T) {
	extra := []string{"eic", "jump-box"}
	cases := []struct {
		line string
		want bool
	}{
		// positives
		{"aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0", true},
		{"aws ec2-instance-connect ssh --instance-id i-1 --os-user ec2-user", true},
		{"aws --profile prod --region eu-west-1 ec2-instance-connect ssh --instance-id i-1", true},
		{"aws ec2-instance-connect ssh --instance-id i-1 --profile prod --region us-east-1", true},
		{"aws --debug ec2-instance-connect ssh --instance-id i-1", true},
		{"aws --profile=prod ec2-instance-connect ssh --instance-id i-1", true},
		{"aws ec2-instance-connect --region eu-west-1 ssh --instance-id i-1", true},
		{"aws --output json --no-cli-pager ec2-instance-connect ssh --instance-id i-1", true},
		{"command aws ec2-instance-connect ssh --instance-id i-1", true},
		{"builtin aws ec2-instance-connect ssh --instance-id i-1", true},
		{"exec aws ec2-instance-connect ssh --instance-id i-1", true},
		{"sudo -E aws ec2-instance-connect ssh --instance-id i-1", true},
		{"sudo -u admin aws ec2-instance-connect ssh --instance-id i-1", true},
		{"AWS_PROFILE=prod aws ec2-instance-connect ssh --instance-id i-1", true},
		{"AWS_PROFILE=prod AWS_REGION=eu-west-1 aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env AWS_PROFILE=prod aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env -i PATH=/usr/bin aws ec2-instance-connect ssh --instance-id i-1", true},
		{"/usr/local/bin/aws ec2-instance-connect ssh --instance-id i-1", true},
		{"~/.local/bin/aws ec2-instance-connect ssh --instance-id i-1", true},
		{`"/opt/aws cli/aws" ec2-instance-connect ssh --instance-id i-1`, true},
		{"'aws' 'ec2-instance-connect' \"ssh\" --instance-id i-1", true},
		{`a\ws ec2-instance-connect ssh --instance-id i-1`, true},
		{"cd /tmp && aws ec2-instance-connect ssh --instance-id i-1", true},
		{"true; aws ec2-instance-connect ssh --instance-id i-1; echo done", true},
		{"false || aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws ec2-instance-connect ssh --instance-id i-1 | tee /tmp/log", true},
		{"aws ec2-instance-connect ssh --instance-id i-1 2>&1 >/tmp/log", true},
		{"time aws ec2-instance-connect ssh --instance-id i-1", true},
		{"nohup aws ec2-instance-connect ssh --instance-id i-1 &", true},
		{"( aws ec2-instance-connect ssh --instance-id i-1 )", true},
		{"{ aws ec2-instance-connect ssh --instance-id i-1; }", true},
		{"if true; then aws ec2-instance-connect ssh --instance-id i-1; fi", true},
		{"for i in 1 2; do aws ec2-instance-connect ssh --instance-id i-$i; done", true},
		{"aws-vault exec prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec --duration 1h prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"echo $(aws ec2-instance-connect ssh --instance-id i-1)", true},
		{"caffeinate -i aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws ec2-instance-connect ssh \\\n  --instance-id i-1", true},
		{"mssh ec2-user@i-0123456789abcdef0", true},
		{"/usr/local/bin/mssh i-1", true},
		{"eic i-0123456789abcdef0", true},
		{"AWS_PROFILE=x jump-box web-1", true},
		// aws-vault: global flags with their values, before or after exec
		{"aws-vault --backend file exec prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault --backend=file exec prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault --debug --prompt terminal --keychain login exec prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault --secret-service-collection c --pass-dir /p --pass-cmd pass --pass-prefix aws --file-dir /f exec prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec --backend file prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec -d 1h --region eu-west-1 -t 123456 --json -n --server --ec2-server --ecs-server --lazy --stdout prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec --mfa-token=123456 -nd1h prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec prod --duration 1h -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec --no-session --new-flag prod -- aws ec2-instance-connect ssh --instance-id i-1", true},
		{"aws-vault exec prod mssh i-1", true},
		// the wrappers' options with values, as their tools read them
		{"sudo -u bob aws ec2-instance-connect ssh --instance-id i-1", true},
		{"sudo --us bob aws ec2-instance-connect ssh --instance-id i-1", true},
		{"sudo AWS_PROFILE=x -u bob aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env -u VAR aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env -C dir aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env - PATH=/usr/bin aws ec2-instance-connect ssh --instance-id i-1", true},
		{"env -S 'aws ec2-instance-connect' ssh --instance-id i-1", true},
		{`env -iS"AWS_PROFILE=x aws ec2-instance-connect ssh" --instance-id i-1`, true},
		{"nice -n 5 aws ec2-instance-connect ssh --instance-id i-1", true},
		{"nice --adj 5 aws ec2-instance-connect ssh --instance-id i-1", true},
		{"timeout -s KILL 30 aws ec2-instance-connect ssh --instance-id i-1", true},
		{"timeout 30s aws ec2-instance-connect ssh --instance-id i-1", true},
		{"timeout --signal=KILL 30 aws ec2-instance-connect ssh --instance-id i-1", true},
		{"timeout --sig KILL 30 aws ec2-instance-connect ssh --instance-id i-1", true},
		// help is not what these are, nor is a here-document's body
		{"aws ec2-instance-connect ssh --os-user help --instance-id i-1", true},
		{"mssh -d -u help i-1", true},
		{"mssh i-1 -- ls -h", true},
		{"cat <<EOF; aws ec2-instance-connect ssh --instance-id i-1\nsome text\nEOF", true},
		{"cat <<EOF\nsome text\nEOF\naws ec2-instance-connect ssh --instance-id i-1", true},
		{"cat <<-EOF\n\tsome text\n\tEOF\nmssh i-1", true},
		{"aws ec2-instance-connect ssh --instance-id i-1 <<<yes", true},
		// negatives
		{"", false},
		{"ls -la", false},
		{"aws ec2 describe-instances", false},
		{"aws ec2-instance-connect send-ssh-public-key --instance-id i-1", false},
		{"aws ec2-instance-connect open-tunnel --instance-id i-1", false},
		{"aws ssm start-session --target i-1", false},
		{"echo aws ec2-instance-connect ssh", false},
		{"git commit -m \"aws ec2-instance-connect ssh\"", false},
		{"git commit -m 'fix: aws ec2-instance-connect ssh; now works'", false},
		{"grep -r ec2-instance-connect .", false},
		{"man aws ec2-instance-connect ssh", false},
		{"command -v aws ec2-instance-connect ssh", false},
		{"vim mssh.conf", false},
		{"cat ~/notes/mssh", false},
		{"# aws ec2-instance-connect ssh --instance-id i-1", false},
		{"ls # aws ec2-instance-connect ssh", false},
		{"aws-vault list", false},
		{"aws ec2-instance-connect", false},
		{"aws s3 cp ec2-instance-connect ssh", false},
		{"ssh ec2-user@host", false},
		{"epic i-1", false},
		{"echo eic", false},
		{"printf '%s' \"$(echo aws ec2-instance-connect ssh)\"", false},
		// here-documents: their text is no command (bash hands its trap
		// the line reprinted: the redirections first, the delimiter quoted)
		{"cat <<EOF\naws ec2-instance-connect ssh --instance-id i-1\nEOF", false},
		{"cat <<'EOF'\naws ec2-instance-connect ssh --instance-id i-1\nEOF\n", false},
		{"cat <<\"EOF\" >notes\naws ec2-instance-connect ssh --instance-id i-1\nEOF", false},
		{"cat <<\\EOF\nmssh i-1\nEOF", false},
		{"cat << E'O'F | grep ssh\naws ec2-instance-connect ssh --instance-id i-1\nEOF", false},
		{"cat <<-EOF\n\taws ec2-instance-connect ssh --instance-id i-1\n\tEOF", false},
		{"cat  > /dev/null <<-'E O'\naws ec2-instance-connect ssh --instance-id i-1\nE O\n", false},
		{"cat <<A; cat <<B\nx\nA\naws ec2-instance-connect ssh --instance-id i-1\nB", false},
		{"cat <<EOF\nEOF is not alone here\nmssh i-1", false},
		{"ssh host sh <<EOF\naws ec2-instance-connect ssh --instance-id i-1\nEOF", false},
		{"x=$(cat <<EOF\naws ec2-instance-connect ssh --instance-id i-1\nEOF\n)", false},
		// fish has no here-documents: a quoted text over several lines
		{"printf '%s\\n' '\naws ec2-instance-connect ssh --instance-id i-1\n' | cat", false},
		// help, not a login
		{"mssh --help", false},
		{"mssh -h", false},
		{"mssh --he", false},
		{"mssh -dh", false},
		{"mssh i-1 -h", false},
		{"/usr/local/bin/mssh --help i-1", false},
		{"aws ec2-instance-connect ssh help", false},
		{"aws ec2-instance-connect ssh --help", false},
		{"aws ec2-instance-connect help", false},
		{"aws ec2-instance-connect ssh -h", false},
		{"aws --debug ec2-instance-connect ssh help", false},
		{"aws ec2-instance-connect ssh --debug help", false},
		{"aws ec2-instance-connect ssh --instance-id i-1 help", false},
		{"aws --version ec2-instance-connect ssh --instance-id i-1", false},
		{"sudo -u bob aws ec2-instance-connect ssh --help", false},
		// aws-vault runs no command, or another one
		{"aws-vault --backend file list", false},
		{"aws-vault --backend exec prod -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec --help prod -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec prod --help-long -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault --version exec prod -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec prod aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec --region prod -- aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec prod -- echo aws ec2-instance-connect ssh --instance-id i-1", false},
		{"aws-vault exec --new-flag prod echo -- aws ec2-instance-connect ssh --instance-id i-1", false},
		// the wrappers run another command, or none
		{"sudo --new-flag echo aws ec2-instance-connect ssh --instance-id i-1", false},
		{"sudo --log aws ec2-instance-connect ssh --instance-id i-1", false},
		{"env -S echo aws ec2-instance-connect ssh --instance-id i-1", false},
		{"env -S 'echo aws' ec2-instance-connect ssh --instance-id i-1", false},
		{"env -0 aws ec2-instance-connect ssh --instance-id i-1", false},
		{"env -u aws ec2-instance-connect ssh --instance-id i-1", false},
		{"nice -n aws ec2-instance-connect ssh --instance-id i-1", false},
		{"timeout -s KILL aws ec2-instance-connect ssh --instance-id i-1", false},
	}
	for _, c := range cases {
		if got := IsEIC(c.line, extra); got != c.want {
			t.Errorf("IsEIC(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

// TestWrappers covers each precommand wrapper's option grammar: options
// with values (attached, next word, clustered, --long=value), operands,
// and the options with which the wrapper runs no command.
func TestWrappers(t *testing.T) {
	const eic = "aws ec2-instance-connect ssh --instance-id i-1"
	cases := []struct {
		prefix string
		want   bool
	}{
		{"sudo -iu bob", true},
		{"sudo -E -u bob", true},
		{"sudo -u bob -E", true},
		{"sudo -ubob", true},
		{"sudo --user=bob", true},
		{"sudo --user bob --preserve-env", true},
		{"sudo -g wheel -H --", true},
		{"sudo -l", false},
		{"sudo -ll", false},
		{"sudo --list", false},
		{"sudo -v", false},
		{"sudo -e", false},
		{"sudo -h", false},
		{"sudo -iu", false}, // user aws, command ec2-instance-connect
		{"sudo -u", false},
		{"sudo --us bob", true}, // getopt_long takes a prefix of one option
		{"sudo --user=bob --preserve-env=PATH", true},
		{"sudo --preserve-env", true},
		{"sudo --login", true},
		{"sudo --login-c x", true},
		{"sudo -D /tmp -R / -T 60 -B -N", true},
		{"sudo FOO=1 -u bob", true}, // sudo reads options after NAME=VALUE
		{"sudo -u bob FOO=1", true},
		{"sudo --new-flag", true}, // unknown: read as taking no value
		{"sudo --pre", false},     // preserve-env or preserve-groups: refused
		{"sudo --log", false},
		{"sudo --li", false},
		{"sudo --he", false},
		{"sudo --vers", false},
		{"doas -u bob", true},
		{"doas -C /etc/doas.conf", false},
		{"doas -s", false},
		{"timeout 60", true},
		{"timeout 1m", true},
		{"timeout -k 5 -s TERM 60", true},
		{"timeout -k5 -sKILL 60", true},
		{"timeout --signal=KILL --kill-after 5 60", true},
		{"timeout --foreground --preserve-status 60", true},
		{"timeout -v 60", true},
		{"timeout", false}, // aws taken for the duration
		{"timeout --help", false},
		{"timeout --version", false},
		{"timeout -s", false},
		{"timeout 30s", true},
		{"timeout -s KILL 30", true},
		{"timeout --signal=KILL 30", true},
		{"timeout --sig KILL 30", true},
		{"timeout --k 5 --fore 30", true},
		{"timeout --verb 30", true},
		{"timeout --ver 30", false}, // verbose or version: refused
		{"stdbuf -oL", true},
		{"stdbuf -o L -e 0", true},
		{"stdbuf -i0 -oL -eL", true},
		{"stdbuf --output=L", true},
		{"stdbuf --output L", true},
		{"stdbuf -o", false},
		{"stdbuf --help", false},
		{"stdbuf --out L", true},
		{"nohup --", true},
		{"nohup --he", false},
		{"coproc", true},
		{"ionice -c 3", true},
		{"ionice -c2 -n7", true},
		{"ionice -t -c 2 -n 0", true},
		{"ionice --class idle", true},
		{"ionice -p 123", false},
		{"ionice -P 123", false},
		{"ionice -c", false},
		{"ionice -h", false},
		{"taskset -V", false},
		{"chrt -h", false},
		{"setsid -h", false},
		{"taskset 0x3", true},
		{"taskset -c 0-3", true},
		{"taskset --cpu-list 0,2", true},
		{"taskset -a 1", true},
		{"taskset -p 0x3 123", false},
		{"taskset -cp 0-3 123", false},
		{"taskset", false},
		{"chrt -f 10", true},
		{"chrt 10", true},
		{"chrt -o 0", true},
		{"chrt --batch 0", true},
		{"chrt -i", true}, // the priority is optional in recent util-linux
		{"chrt -d -T 1000 -P 2000 -D 2000 0", true},
		{"chrt -p 10 123", false},
		{"chrt -m", false},
		{"flock /tmp/eic.lock", true},
		{"flock -w 10 /tmp/eic.lock", true},
		{"flock -x -E 3 /tmp/eic.lock", true},
		{"flock --timeout=10 -n /tmp/eic.lock", true},
		{"flock", false}, // aws taken for the lock file
		{"flock -h", false},
		{"flock -V", false},
		{"unbuffer", true},
		{"unbuffer -p", true},
		{"setsid -w", true},
		{"nice", true},
		{"nice -10", true},
		{"nice -n 10", true},
		{"nice -n10", true},
		{"nice -n -5", true},
		{"nice --adjustment=5", true},
		{"nice --help", false},
		{"nice -n", false},
		{"nice -n 5", true},
		{"nice --adj 5", true},
		{"nice --h", false},
		{"env -u AWS_PROFILE", true},
		{"env -uAWS_PROFILE -i", true},
		{"env --unset=AWS_PROFILE", true},
		{"env -C /tmp AWS_REGION=x", true},
		{"env -u", false},
		{"env --version", false},
		{"env -", true}, // a lone - is -i
		{"env -i -- -", true},
		{"env -a eic -P /usr/bin", true},
		{"env -S", true}, // -S's words (here "aws") stand in its place
		{"env -S nice", true},
		{"env -vS'nice -n 5'", true},
		{"env --split-string=-i", true},
		{"env -S '-u X FOO=1'", true},
		{"env -S 'FOO=1 -u X'", false}, // -u after NAME=VALUE is the command
		{"env -S echo", false},
		{"env -iSecho", false},
		{"env --split=echo", false},
		{"env -0", false}, // refused with a command
		{"env --nu", false},
		{"env --ignore-env", true},
		{"env --ig", false}, // ignore-environment or ignore-signal: refused
		{"env --block-signal --default-signal=INT", true},
		{"exec -a eic", true},
		{"exec -cl", true},
		{"exec -a", false},
		{"time -p", true},
		{"/usr/bin/time -f %e -o /tmp/t", true},
		{"command -p", true},
		{"command -pv", false},
		{"command -V", false},
		{"caffeinate -t 600", true},
		{"caffeinate -dims", true},
		{"sudo -E timeout 60 stdbuf -oL nice -n 5", true},
		{"AWS_PROFILE=x flock /tmp/l timeout 60 sudo -iu bob", true},
		{"timeout 60 sudo -l", false},
	}
	for _, c := range cases {
		line := c.prefix + " " + eic
		if got := IsEIC(line, nil); got != c.want {
			t.Errorf("IsEIC(%q) = %v, want %v", line, got, c.want)
		}
	}
}

func TestShellLineInsideWrapper(t *testing.T) {
	cases := []struct {
		line string
		want bool
	}{
		{"flock /tmp/eic.lock -c 'aws ec2-instance-connect ssh --instance-id i-1'", true},
		{"flock -w 5 /tmp/eic.lock --command 'cd / && aws ec2-instance-connect ssh'", true},
		{"flock /tmp/eic.lock -c 'echo aws ec2-instance-connect ssh'", false},
		{"flock /tmp/eic.lock -c", false},
		{"coproc EIC { aws ec2-instance-connect ssh --instance-id i-1; }", true},
		{"coproc EIC { echo aws ec2-instance-connect ssh; }", false},
	}
	for _, c := range cases {
		if got := IsEIC(c.line, nil); got != c.want {
			t.Errorf("IsEIC(%q) = %v, want %v", c.line, got, c.want)
		}
	}
	// Lines inside lines are followed maxDepth levels deep, no further.
	line := "aws ec2-instance-connect ssh"
	for depth := 1; depth <= maxDepth+1; depth++ {
		line = "flock /tmp/l -c '" + strings.ReplaceAll(line, "'", `'\''`) + "'"
		if got, want := IsEIC(line, nil), depth <= maxDepth; got != want {
			t.Errorf("depth %d: IsEIC(%q) = %v, want %v", depth, line, got, want)
		}
	}
}

func TestIsEICHostileInput(t *testing.T) {
	long := strings.Repeat("a ", 2<<20) + "aws ec2-instance-connect ssh"
	if IsEIC(long, nil) {
		t.Error("text past MaxLine must be ignored")
	}
	for _, line := range []string{
		"\"unterminated aws ec2-instance-connect ssh",
		"'unterminated",
		"$'\\",
		"\\",
		"aws ec2-instance-connect ssh \xff\xfe",
		"$((((((",
		">>>>> <<<<< &&&&& ||||| ;;;;;",
	} {
		IsEIC(line, []string{"x"}) // must not panic
	}
}

func TestNonEICLineDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		IsEIC("git status --short && make -j4 test", []string{"eic"})
	})
	if allocs != 0 {
		t.Errorf("non-EIC line allocated %v times", allocs)
	}
}

func FuzzIsEIC(f *testing.F) {
	for _, s := range []string{
		"aws ec2-instance-connect ssh --instance-id i-1",
		"AWS_PROFILE=x sudo -E /usr/bin/aws --debug ec2-instance-connect ssh",
		"echo 'aws ec2-instance-connect ssh'",
		"aws-vault exec p -- mssh i-1 2>&1 | tee x",
		"$'aws' \"ec2-instance-connect\" s\\sh",
		"sudo -iu bob timeout -k5 60 stdbuf -oL aws ec2-instance-connect ssh",
		"flock /tmp/l -c 'chrt -f 10 aws ec2-instance-connect ssh'",
		"coproc E { ionice -c3 aws ec2-instance-connect ssh; }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		extra := []string{"eic"}
		// A complete command in front must not change the verdict.
		if IsEIC(line, extra) != IsEIC("true; "+line, extra) && len(line) < MaxLine-6 {
			t.Fatalf("verdict changed by a leading command: %q", line)
		}
	})
}

func TestInspect(t *testing.T) {
	for _, c := range []struct {
		line string
		want Login
	}{
		{"aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true}},
		{"aws ec2-instance-connect ssh --instance-id i-1 --private-key-file ~/.ssh/id_ed25519", Login{}},
		{"aws ec2-instance-connect ssh --private-key-file=k --instance-id i-1", Login{}},
		{"SSH_AUTH_SOCK=/tmp/other aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true, Agent: "/tmp/other"}},
		{`env "SSH_AUTH_SOCK=/a b" aws ec2-instance-connect ssh --instance-id i-1`, Login{GeneratesKey: true, SetsAgent: true, Agent: "/a b"}},
		{"SSH_AUTH_SOCK= aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true}},
		{"env -u SSH_AUTH_SOCK aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true}},
		{"env -i PATH=/usr/bin aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true}},
		{"env - PATH=/usr/bin aws ec2-instance-connect ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true}},
		// env -S: the words before it and the words it splits count
		{"SSH_AUTH_SOCK=/a env -S 'aws ec2-instance-connect' ssh --instance-id i-1", Login{GeneratesKey: true, SetsAgent: true, Agent: "/a"}},
		{"env -S 'SSH_AUTH_SOCK=/b aws ec2-instance-connect' ssh --private-key-file k", Login{SetsAgent: true, Agent: "/b"}},
		{"cat <<EOF\nSSH_AUTH_SOCK=/x aws ec2-instance-connect ssh --instance-id i-1\nEOF\naws ec2-instance-connect ssh --instance-id i-2", Login{GeneratesKey: true}},
		// an argument, not an assignment: the shell's agent
		{"aws ec2-instance-connect ssh --instance-id i-1 SSH_AUTH_SOCK=/x", Login{GeneratesKey: true}},
		// the first EIC command on the line decides
		{"SSH_AUTH_SOCK=/a aws ec2-instance-connect ssh --instance-id i-1; aws ec2-instance-connect ssh --instance-id i-2", Login{GeneratesKey: true, SetsAgent: true, Agent: "/a"}},
		{"mssh i-1", Login{GeneratesKey: true}},
	} {
		got, ok := Inspect(c.line, nil)
		if !ok || got != c.want {
			t.Errorf("Inspect(%q) = %+v, %v; want %+v", c.line, got, ok, c.want)
		}
	}
	if _, ok := Inspect("echo SSH_AUTH_SOCK=/x --private-key-file", nil); ok {
		t.Error("a line with no EIC command was inspected as one")
	}
}

// TestEnvSplitAsEnv checks envSplit against the system's env -S, where it
// has one (GNU coreutils 8.30 and later, FreeBSD, macOS).
func TestEnvSplitAsEnv(t *testing.T) {
	if err := exec.Command("env", "-S", "true").Run(); err != nil {
		t.Skipf("no env -S here: %v", err)
	}
	for _, s := range []string{
		`aws ec2-instance-connect ssh`,
		`  a   b	c `,
		`'b c' "d e"`,
		`"d\_e" f\_g`,
		`x #y z`,
		`x y#z`,
		`x\cy z`,
		`"q\"r" 's\'t' 'u\\v' w\\x`,
		`"t\tab" n\nl`,
		`''`,
	} {
		const format = "'<%s>' "
		out, err := exec.Command("env", "-S", "printf "+format+s).Output()
		if err != nil {
			t.Errorf("env -S %q: %v", s, err)
			continue
		}
		var want strings.Builder
		for _, w := range envSplit(s) {
			want.WriteString("<" + w + ">")
		}
		if string(out) != want.String() {
			t.Errorf("envSplit(%q) = %q, env -S splits it into %q", s, want.String(), out)
		}
	}
}
