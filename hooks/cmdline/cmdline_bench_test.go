package cmdline

import (
	"strings"
	"testing"
)

// benchLines are typical lines: most are not EIC commands and must be
// rejected by the allocation-free pre-test.
var benchLines = []struct {
	name string
	line string
	want bool
}{
	{"nonEIC/short", "ls -la", false},
	{"nonEIC/pipeline", "git status --short && make -j4 test | tee build.log", false},
	{"nonEIC/long", "kubectl get pods -n production -o wide --selector app=web,tier=frontend " + strings.Repeat("--field-selector status.phase=Running ", 20), false},
	{"nonEIC/mention", `git commit -m "document aws ec2-instance-connect ssh usage"`, false},
	{"EIC/plain", "aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0", true},
	{"EIC/globals", "AWS_PROFILE=prod aws --region eu-west-1 --output json ec2-instance-connect ssh --instance-id i-0123456789abcdef0 --os-user ec2-user", true},
	{"EIC/wrapped", "aws-vault exec prod --duration 1h -- sudo -E env FOO=1 aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0 2>&1 | tee ssh.log", true},
	{"EIC/mssh", "mssh ec2-user@i-0123456789abcdef0", true},
	{"EIC/extra", "eic i-0123456789abcdef0", true},
}

func BenchmarkIsEIC(b *testing.B) {
	extra := []string{"eic"}
	for _, tc := range benchLines {
		b.Run(tc.name, func(b *testing.B) {
			if got := IsEIC(tc.line, extra); got != tc.want {
				b.Fatalf("IsEIC(%q) = %v, want %v", tc.line, got, tc.want)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.line)))
			for b.Loop() {
				IsEIC(tc.line, extra)
			}
		})
	}
}

// BenchmarkIsEICMaxLine is the worst case: a line of MaxLine bytes that
// passes the pre-test and must be split in full.
func BenchmarkIsEICMaxLine(b *testing.B) {
	line := strings.Repeat("echo mssh; ", MaxLine/11)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		IsEIC(line, nil)
	}
}
