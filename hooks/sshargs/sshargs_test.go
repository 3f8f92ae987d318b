package sshargs

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const eicKey = "/tmp/tmpk3j9_2xq/private-key"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		line       string // split on spaces; "_" stands for an empty argument
		argv       []string
		identities []string
		port       string
		dest       string
		remote     []string
		query      bool
	}{
		// The command lines the AWS CLI runs.
		{line: "ssh -o ServerAliveInterval=5 -p 22 -i " + eicKey + " ec2-user@10.0.0.12",
			identities: []string{eicKey}, port: "22", dest: "ec2-user@10.0.0.12"},
		{line: "/usr/bin/ssh -o ServerAliveInterval=5 -p 2222 -i " + eicKey + " -L 8080:localhost:80 -v ec2-user@10.0.0.12",
			identities: []string{eicKey}, port: "2222", dest: "ec2-user@10.0.0.12"},
		{argv: []string{"ssh", "-o", "ServerAliveInterval=5", "-p", "22", "-i", eicKey,
			"-o", "ProxyCommand=aws ec2-instance-connect open-tunnel --instance-id i-0123456789abcdef0", "ec2-user@i-0123456789abcdef0"},
			identities: []string{eicKey}, port: "22", dest: "ec2-user@i-0123456789abcdef0"},

		// Bundled flags, attached arguments.
		{line: "ssh -vvi " + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -4Ai " + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -i" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -Ai" + eicKey + " -p2200 host", identities: []string{eicKey}, port: "2200", dest: "host"},
		{line: "ssh -i -v host", identities: []string{"-v"}, dest: "host"},
		{line: "ssh -l user -i a -i b host", identities: []string{"a", "b"}, dest: "host"},

		// -o, every way ssh reads it.
		{line: "ssh -oIdentityFile=" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -o IdentityFile=" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{argv: []string{"ssh", "-o", "IdentityFile " + eicKey, "host"}, identities: []string{eicKey}, dest: "host"},
		{argv: []string{"ssh", "-o", "IdentityFile = " + eicKey, "host"}, identities: []string{eicKey}, dest: "host"},
		{argv: []string{"ssh", "-o", "  IdentityFile\t" + eicKey + "  ", "host"}, identities: []string{eicKey}, dest: "host"},
		{line: "ssh -oidentityfile=" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -o IDENTITYFILE=" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{line: "ssh -o IdentityFile2=" + eicKey + " host", identities: []string{eicKey}, dest: "host"},
		{argv: []string{"ssh", "-o", `IdentityFile "/tmp/a dir/key"`, "host"}, identities: []string{"/tmp/a dir/key"}, dest: "host"},
		{argv: []string{"ssh", "-o", `IdentityFile=/tmp/a\ dir/key`, "host"}, identities: []string{"/tmp/a dir/key"}, dest: "host"},
		{argv: []string{"ssh", "-o", `IdentityFile='/tmp/it''s'`, "host"}, identities: []string{"/tmp/its"}, dest: "host"},
		{argv: []string{"ssh", "-o", `"IdentityFile" k`, "host"}, identities: []string{"k"}, dest: "host"},
		{argv: []string{"ssh", "-o", "IdentityFile=a=b", "host"}, identities: []string{"a=b"}, dest: "host"},
		{line: "ssh -i a -o IdentityFile=b -i c host", identities: []string{"a", "b", "c"}, dest: "host"},
		{line: "ssh -i none -o IdentityFile=NONE -i _ host", dest: "host"},
		// Lines ssh ignores: empty, white space, a comment.
		{argv: []string{"ssh", "-o", "", "-o", "   ", "-o", "#IdentityFile x", "host"}, dest: "host"},

		// The port: ssh keeps the first of -p and -o Port, else the URI's.
		{line: "ssh -p 22 -p 23 host", port: "22", dest: "host"},
		{line: "ssh -o Port=23 -p 22 host", port: "23", dest: "host"},
		{line: "ssh -oport=ssh host", port: "ssh", dest: "host"},
		{line: "ssh ssh://user@host:2022", port: "2022", dest: "ssh://user@host:2022"},
		{line: "ssh ssh://user;x=y@[::1]:2022/", port: "2022", dest: "ssh://user;x=y@[::1]:2022/"},
		{line: "ssh ssh://[::1]", dest: "ssh://[::1]"},
		{line: "ssh ssh://host/", dest: "ssh://host/"},
		{line: "ssh -p 22 ssh://host:2022", port: "22", dest: "ssh://host:2022"},
		{line: "ssh host:2022", dest: "host:2022"},

		// Options after the destination, the remote command, "--".
		{line: "ssh host -i k", identities: []string{"k"}, dest: "host"},
		{line: "ssh host -i k uptime -i x", identities: []string{"k"}, dest: "host", remote: []string{"uptime", "-i", "x"}},
		{line: "ssh host uptime -i x", dest: "host", remote: []string{"uptime", "-i", "x"}},
		{line: "ssh host -- -i x", dest: "host", remote: []string{"-i", "x"}},
		{line: "ssh -- host -i x", dest: "host", remote: []string{"-i", "x"}},
		{line: "ssh -v -- host", dest: "host"},
		{line: "ssh host _ x", dest: "host", remote: []string{"", "x"}},
		{line: "ssh host1 host2", dest: "host1", remote: []string{"host2"}},
		{line: "ssh host -v -- uptime", dest: "host", remote: []string{"uptime"}},
		// The last argument getopt took was "--" (as -S's argument): ssh
		// reads no options after the destination.
		{line: "ssh -S -- host -i x", dest: "host", remote: []string{"-i", "x"}},
		{line: "ssh -S x host -i k", identities: []string{"k"}, dest: "host"},

		// Queries.
		{line: "ssh -G host", dest: "host", query: true},
		{line: "ssh -G -i " + eicKey + " host", identities: []string{eicKey}, dest: "host", query: true},
		{line: "ssh host -G", dest: "host", query: true},
		{line: "ssh -V", query: true},
		{line: "ssh -vV -z", query: true},
		{line: "ssh -Q cipher", query: true},
		{line: "ssh -Qkex -z", query: true},
		{line: "ssh -O check host", dest: "host", query: true},
		{line: "ssh -Oexit host", dest: "host", query: true},
		{line: "ssh -Z host", dest: "host", query: true},
	} {
		argv := tc.argv
		if argv == nil {
			argv = strings.Split(tc.line, " ")
			for i, a := range argv {
				if a == "_" {
					argv[i] = ""
				}
			}
		}
		c, err := Parse(argv)
		if err != nil {
			t.Errorf("Parse(%q): %v", argv, err)
			continue
		}
		if !slices.Equal(c.Identities, tc.identities) || c.Port != tc.port || c.Destination != tc.dest ||
			!slices.Equal(c.Remote, tc.remote) || c.Query != tc.query {
			t.Errorf("Parse(%q) = identities %q, port %q, destination %q, remote %q, query %v;\n"+
				"want identities %q, port %q, destination %q, remote %q, query %v",
				argv, c.Identities, c.Port, c.Destination, c.Remote, c.Query,
				tc.identities, tc.port, tc.dest, tc.remote, tc.query)
		}
	}
}

func TestParseOptions(t *testing.T) {
	c, err := Parse([]string{"ssh", "-vo", "ServerAliveInterval=5", "-oProxyCommand=nc %h %p", "-L8080:localhost:80", "host"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Letter: 'v'},
		{Letter: 'o', Arg: "ServerAliveInterval=5", Keyword: "serveraliveinterval", Values: []string{"5"}},
		{Letter: 'o', Arg: "ProxyCommand=nc %h %p", Keyword: "proxycommand", Values: []string{"nc", "%h", "%p"}},
		{Letter: 'L', Arg: "8080:localhost:80"},
	}
	if !slices.EqualFunc(c.Options, want, func(a, b Option) bool {
		return a.Letter == b.Letter && a.Arg == b.Arg && a.Keyword == b.Keyword && slices.Equal(a.Values, b.Values)
	}) {
		t.Errorf("Options = %+v\nwant %+v", c.Options, want)
	}
}

func TestParseNotUnderstood(t *testing.T) {
	for _, argv := range [][]string{
		{"ssh"},
		{"ssh", "-v"},
		{"ssh", "-i"},
		{"ssh", "host", "-i"},
		{"ssh", "-vi"},
		{"ssh", "-U", "host"},
		{"ssh", "-vH", "host"},
		{"ssh", "--verbose", "host"},
		{"ssh", "-", "host"},
		{"ssh", "host", "-U"},
		{"ssh", "-o", "IdentityFile", "host"},
		{"ssh", "-o", "IdentityFile=", "host"},
		{"ssh", "-o", "IdentityFile a b", "host"},
		{"ssh", "-o", `IdentityFile "a`, "host"},
		{"ssh", "-o", "Port", "host"},
		{"ssh", "-o", "Port 1 2", "host"},
		{"ssh", "--"},
		{"ssh", "-G"},
		{"ssh", ""},
		{"ssh", "-v", "", "host"},
	} {
		c, err := Parse(argv)
		if !errors.Is(err, ErrNotUnderstood) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotUnderstood", argv, c, err)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error on more than one line: %q", argv, err)
		}
	}
	for _, argv := range [][]string{nil, {}, {"sshd", "host"}, {"/usr/bin/ssh-agent"}, {"myssh", "host"}, {"aws", "ec2-instance-connect", "ssh"}, {""}} {
		if c, err := Parse(argv); err != ErrNotSSH {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotSSH", argv, c, err)
		}
	}
}

func TestConfigLine(t *testing.T) {
	for _, tc := range []struct {
		line    string
		keyword string
		values  []string
	}{
		{"IdentityFile x", "identityfile", []string{"x"}},
		{"IdentityFile=x", "identityfile", []string{"x"}},
		{"IdentityFile = x", "identityfile", []string{"x"}},
		{"IdentityFile  =  x", "identityfile", []string{"x"}},
		{"IdentityFile==x", "identityfile", []string{"=x"}},
		{"=IdentityFile x", "identityfile", []string{"x"}},
		{" IdentityFile x \t\r\n\f", "identityfile", []string{"x"}},
		{`Ident"ity"File x`, "identity", []string{"File", "x"}},
		{`"Identity File" x`, "identity file", []string{"x"}},
		{`SetEnv A="b c" D=e`, "setenv", []string{"A=b c", "D=e"}},
		{`IdentityFile a\"b`, "identityfile", []string{`a"b`}},
		{`IdentityFile a\qb`, "identityfile", []string{`a\qb`}},
		{`IdentityFile "a\ b"`, "identityfile", []string{`a\ b`}},
		{`IdentityFile x\`, "identityfile", []string{`x\`}},
		{`IdentityFile x #comment`, "identityfile", []string{"x"}},
		{`IdentityFile x#y`, "identityfile", []string{"x#y"}},
		{"", "", nil},
		{"   ", "", nil},
		{"=", "", nil},
		{"# IdentityFile x", "", nil},
		{`"IdentityFile x`, "", nil},
	} {
		keyword, values, err := configLine(tc.line)
		if err != nil || keyword != tc.keyword || !slices.Equal(values, tc.values) {
			t.Errorf("configLine(%q) = %q, %q, %v; want %q, %q", tc.line, keyword, values, err, tc.keyword, tc.values)
		}
	}
	for _, line := range []string{"IdentityFile", "IdentityFile ", "IdentityFile=", "IdentityFile 'x", "\f", `IdentityFile "x`} {
		if keyword, values, err := configLine(line); err == nil {
			t.Errorf("configLine(%q) = %q, %q; want an error", line, keyword, values)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("ssh\x00-o\x00ServerAliveInterval=5\x00-p\x0022\x00-i\x00" + eicKey + "\x00ec2-user@10.0.0.12")
	f.Add("ssh\x00-oIdentityFile=\"a b\"\x00host\x00-v\x00--\x00x")
	f.Add("ssh\x00ssh://u@[::1]:22/\x00-Q\x00kex")
	f.Fuzz(func(t *testing.T, line string) {
		argv := strings.Split(line, "\x00")
		c, err := Parse(argv)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse gave %+v beside %v", c, err)
			}
			return
		}
		if !c.Query && c.Destination == "" {
			t.Fatalf("Parse(%q) gave no destination and no error", argv)
		}
		for _, id := range c.Identities {
			if id == "" {
				t.Fatalf("Parse(%q) gave an empty identity", argv)
			}
		}
	})
}
