package proc

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// procargs2 builds a kern.procargs2 buffer as the Darwin kernel lays it
// out: argc, the executable path and its NUL, pad more NULs, then each
// string of strs (arguments, then environment) with its NUL.
func procargs2(argc int32, exe string, pad int, strs ...string) []byte {
	buf := binary.NativeEndian.AppendUint32(nil, uint32(argc))
	buf = append(buf, exe...)
	buf = append(buf, 0)
	buf = append(buf, make([]byte, pad)...)
	for _, s := range strs {
		buf = append(buf, s...)
		buf = append(buf, 0)
	}
	return buf
}

// eicSSH is the argument list of an EIC login's ssh on macOS.
var eicSSH = []string{
	"ssh", "-o", "ServerAliveInterval=5", "-p", "22",
	"-i", "/var/folders/x7/abc/T/tmpk3j9_2xq/private-key", "ec2-user@10.0.0.12",
}

func TestParseProcArgs2(t *testing.T) {
	// The environment, then the kernel's apple strings, follow the
	// arguments.
	env := []string{"HOME=/Users/me", "SHELL=/bin/zsh", "", "ptr_munge=", "executable_path=/usr/bin/ssh"}
	for _, tc := range []struct {
		name string
		buf  []byte
		exe  string
		args []string
	}{
		{"eic ssh", procargs2(int32(len(eicSSH)), "/usr/bin/ssh", 3, append(slices.Clone(eicSSH), env...)...),
			"/usr/bin/ssh", eicSSH},
		{"no padding", procargs2(2, "/bin/sleep", 0, "sleep", "30", "A=1"), "/bin/sleep", []string{"sleep", "30"}},
		{"long padding", procargs2(2, "/bin/sleep", 13, "sleep", "30"), "/bin/sleep", []string{"sleep", "30"}},
		{"empty arguments kept", procargs2(4, "/usr/bin/ssh", 2, "ssh", "", "host", "", "X=1"),
			"/usr/bin/ssh", []string{"ssh", "", "host", ""}},
		{"argc 0", procargs2(0, "/bin/true", 4, "A=1"), "/bin/true", []string{}},
		{"argc 0, nothing after the path", procargs2(0, "/bin/true", 0), "/bin/true", []string{}},
		{"no environment", procargs2(1, "/bin/true", 1, "true"), "/bin/true", []string{"true"}},
		{"argument with spaces and quotes", procargs2(3, "/bin/sh", 2, "sh", "-c", `eich guard "x y"`),
			"/bin/sh", []string{"sh", "-c", `eich guard "x y"`}},
		{"environment taken for arguments when argc says so", procargs2(3, "/bin/x", 1, "x", "A=1", "B=2"),
			"/bin/x", []string{"x", "A=1", "B=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe, args, err := parseProcArgs2(tc.buf)
			if err != nil {
				t.Fatalf("parseProcArgs2: %v", err)
			}
			if exe != tc.exe || !slices.Equal(args, tc.args) || args == nil {
				t.Errorf("parseProcArgs2 = %q, %q; want %q, %q", exe, args, tc.exe, tc.args)
			}
		})
	}
}

func TestParseProcArgs2Refuses(t *testing.T) {
	full := procargs2(3, "/usr/bin/ssh", 4, "ssh", "-v", "host")
	huge := binary.NativeEndian.AppendUint32(nil, 0x7fffffff)
	huge = append(huge, "/bin/x\x00x\x00"...)
	for _, tc := range []struct {
		name, want string
		buf        []byte
	}{
		{"nil", "too short", nil},
		{"argc cut", "too short", []byte{1, 0}},
		{"argc only", "not NUL-terminated", binary.NativeEndian.AppendUint32(nil, 0)},
		{"argc larger than the strings", "truncated after 3 of 5", procargs2(5, "/usr/bin/ssh", 4, "ssh", "-v", "host")},
		{"last argument cut", "truncated after 2 of 3", full[:len(full)-1]},
		{"cut in the padding", "truncated after 0 of 3", full[:4+len("/usr/bin/ssh")+3]},
		{"path without NUL", "not NUL-terminated", append(binary.NativeEndian.AppendUint32(nil, 0), "/usr/bin/ssh"...)},
		{"negative argc", "negative argc", procargs2(-1, "/bin/x", 1, "x")},
		{"most negative argc", "negative argc", procargs2(-1<<31, "/bin/x", 1, "x")},
		{"huge argc", "only 9 bytes follow", huge},
		{"argc larger than the buffer", "argc 100", procargs2(100, "/bin/x", 1, "x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe, args, err := parseProcArgs2(tc.buf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseProcArgs2 = %q, %q, %v; want an error with %q", exe, args, err, tc.want)
			}
			if exe != "" || args != nil {
				t.Errorf("parseProcArgs2 gave %q, %q beside its error", exe, args)
			}
		})
	}
}

func FuzzParseProcArgs2(f *testing.F) {
	f.Add(procargs2(int32(len(eicSSH)), "/usr/bin/ssh", 3, append(slices.Clone(eicSSH), "HOME=/")...))
	f.Add(procargs2(0, "/bin/true", 0))
	f.Add(procargs2(2, "", 0, "", ""))
	f.Add(procargs2(-5, "/bin/x", 2, "x"))
	f.Add(procargs2(9, "/bin/x", 2, "x"))
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, buf []byte) {
		exe, args, err := parseProcArgs2(buf)
		if err != nil {
			if exe != "" || args != nil {
				t.Fatalf("partial answer %q, %q beside %v", exe, args, err)
			}
			return
		}
		argc := int32(binary.NativeEndian.Uint32(buf))
		if int32(len(args)) != argc {
			t.Fatalf("%d arguments for argc %d", len(args), argc)
		}
		if strings.ContainsRune(exe, 0) {
			t.Fatalf("NUL in executable path %q", exe)
		}
		for _, a := range args {
			if strings.ContainsRune(a, 0) {
				t.Fatalf("NUL in argument %q", a)
			}
		}
	})
}
