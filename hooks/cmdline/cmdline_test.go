package cmdline

import (
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
		{"stdbuf -oL", true},
		{"stdbuf -o L -e 0", true},
		{"stdbuf -i0 -oL -eL", true},
		{"stdbuf --output=L", true},
		{"stdbuf --output L", true},
		{"stdbuf -o", false},
		{"stdbuf --help", false},
		{"coproc", true},
		{"ionice -c 3", true},
		{"ionice -c2 -n7", true},
		{"ionice -t -c 2 -n 0", true},
		{"ionice --class idle", true},
		{"ionice -p 123", false},
		{"ionice -P 123", false},
		{"ionice -c", false},
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
		{"env -u AWS_PROFILE", true},
		{"env -uAWS_PROFILE -i", true},
		{"env --unset=AWS_PROFILE", true},
		{"env -C /tmp AWS_REGION=x", true},
		{"env -u", false},
		{"env --version", false},
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
