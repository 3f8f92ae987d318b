// Package sshargs reads what an OpenSSH ssh(1) command line asks for, and
// the private key file such a command line names.
//
// Parse reads an argument list the way ssh reads its own: with BSD
// getopt, which does not reorder arguments; options bundled (-vvi FILE)
// or with their argument attached (-iFILE); "--" ending the options; the
// first other argument the destination, after which ssh reads options
// once more unless "--" came first; what is left the remote command. An
// -o argument is split as ssh splits a line of ssh_config: a keyword,
// matched without regard to case, then "=" or white space, then the
// value, with quotes and backslash escapes. An option ssh does not know,
// or one without its argument, makes the whole line not understood: ssh
// would refuse it too.
//
// ReadIdentity reads an unencrypted private key file, in the
// openssh-key-v1 format ssh-keygen and the AWS CLI write or in PEM,
// refusing anything but a small regular file of the caller's own, and
// returns its public key and comment.
//
// References:
//
//	[ssh(1)]: https://man.openbsd.org/ssh.1
//	[ssh_config(5)]: https://man.openbsd.org/ssh_config.5
//	[PROTOCOL.key]: https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key
package sshargs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotSSH is returned by Parse for an argument list whose argv[0] is
// not ssh or a path ending in /ssh.
var ErrNotSSH = errors.New("not an ssh command line")

// ErrNotUnderstood is wrapped by Parse's errors for an ssh command line it
// cannot read with certainty: an unknown option, an option without its
// argument, an -o line ssh would reject, no destination.
var ErrNotUnderstood = errors.New("ssh command line not understood")

// The options of ssh(1), as its getopt string lists them (OpenSSH 10;
// -Z is newer than most installed versions, which reject it before they
// read any configuration).
const (
	flagLetters = "1246ACGKMNTVXYZafgknqstvxy"
	argLetters  = "BDEFIJLOPQRSWbceilmopw"
)

// Option is one option of an ssh command line, in the order given.
type Option struct {
	// Letter is the option's letter: 'i' for -i.
	Letter byte
	// Arg is the option's argument as given; "" for a flag.
	Arg string
	// Keyword and Values split an -o argument as ssh does: the keyword
	// in lower case, the values with quotes and escapes removed. Both
	// are empty for other options and for an -o line ssh ignores (a
	// comment, white space).
	Keyword string
	Values  []string
}

// Command is what an ssh command line asks for.
type Command struct {
	// Options holds every option, in order.
	Options []Option
	// Identities lists the identity files given with -i and
	// -o IdentityFile, in order, as written: neither tilde nor %-tokens
	// are expanded, and a relative path is relative to ssh's working
	// directory. "none" and "", which ssh skips, are left out.
	Identities []string
	// Query is true when ssh only prints or controls and never logs in:
	// -G (print the configuration), -V (version), -Q (list algorithms),
	// -O (a command to a multiplexing master), -Z (list the keys it would
	// offer). After -V or -Q ssh reads no further, so neither does Parse,
	// and Destination may be empty.
	Query bool
	// Port is the port ssh uses, as written: the first -p or -o Port
	// (ssh keeps the first), else the port of an ssh:// destination; ""
	// when the command line names none.
	Port string
	// Destination is the destination as written: [user@]host or
	// ssh://[user@]host[:port].
	Destination string
	// Remote is the remote command, one element per argument.
	Remote []string
}

// IsSSH reports whether arg0 names ssh: "ssh", or a path ending in "/ssh".
func IsSSH(arg0 string) bool {
	return arg0 == "ssh" || strings.HasSuffix(arg0, "/ssh")
}

// Parse reads an ssh argument list, argv[0] first. Its errors are
// ErrNotSSH, or wrap ErrNotUnderstood.
func Parse(argv []string) (*Command, error) {
	if len(argv) == 0 || !IsSSH(argv[0]) {
		return nil, ErrNotSSH
	}
	c := &Command{}
	i := 1
	for {
		// One getopt round, from argv[i] to the first argument that is
		// not an option.
		start := i
		for i < len(argv) {
			a := argv[i]
			if a == "--" {
				i++
				break
			}
			if len(a) < 2 || a[0] != '-' {
				break
			}
			i++
			for j := 1; j < len(a); j++ {
				letter := a[j]
				switch {
				case strings.IndexByte(flagLetters, letter) >= 0:
					c.Options = append(c.Options, Option{Letter: letter})
					switch letter {
					case 'V':
						c.Query = true
						return c, nil // ssh prints its version and exits
					case 'G', 'Z':
						c.Query = true
					}
				case strings.IndexByte(argLetters, letter) >= 0:
					var arg string
					switch {
					case j+1 < len(a):
						arg = a[j+1:]
					case i < len(argv):
						arg = argv[i]
						i++
					default:
						return nil, notUnderstood("option -%c needs an argument", letter)
					}
					if err := c.option(letter, arg); err != nil {
						return nil, err
					}
					if letter == 'Q' {
						return c, nil // ssh answers the query and exits
					}
					j = len(a)
				default:
					return nil, notUnderstood("unknown option -%s", printable(letter))
				}
			}
		}
		if c.Destination != "" {
			break
		}
		// ssh takes the options as ended by "--" when the last argument
		// getopt consumed is "--", even as another option's argument
		// (-S --).
		terminated := i > start && argv[i-1] == "--"
		if i == len(argv) {
			return nil, notUnderstood("no destination")
		}
		if argv[i] == "" {
			return nil, notUnderstood("empty destination")
		}
		if strings.HasPrefix(argv[i], "-") {
			// "-" itself; ssh refuses a host name that starts with '-'.
			return nil, notUnderstood("destination %q starts with '-'", argv[i])
		}
		c.Destination = argv[i]
		i++
		if terminated || i == len(argv) {
			break
		}
		// ssh reads options once more after the destination.
	}
	c.Remote = argv[i:]
	if c.Port == "" {
		c.Port = uriPort(c.Destination)
	}
	return c, nil
}

// option records one option that takes an argument.
func (c *Command) option(letter byte, arg string) error {
	o := Option{Letter: letter, Arg: arg}
	switch letter {
	case 'i':
		c.identity(arg)
	case 'p':
		if c.Port == "" {
			c.Port = arg
		}
	case 'O':
		c.Query = true
	case 'Q':
		c.Query = true
	case 'o':
		keyword, values, err := configLine(arg)
		if err != nil {
			return notUnderstood("-o %q: %v", arg, err)
		}
		o.Keyword, o.Values = keyword, values
		switch keyword {
		case "identityfile", "identityfile2":
			if len(values) != 1 || values[0] == "" {
				return notUnderstood("-o %q: IdentityFile takes one file", arg)
			}
			c.identity(values[0])
		case "port":
			if len(values) != 1 || values[0] == "" {
				return notUnderstood("-o %q: Port takes one port", arg)
			}
			if c.Port == "" {
				c.Port = values[0]
			}
		}
	}
	c.Options = append(c.Options, o)
	return nil
}

func (c *Command) identity(path string) {
	if path != "" && !strings.EqualFold(path, "none") {
		c.Identities = append(c.Identities, path)
	}
}

// uriPort returns the port of an ssh://[user[;params]@]host[:port][/]
// destination, "" for any other.
func uriPort(dest string) string {
	rest, ok := strings.CutPrefix(dest, "ssh://")
	if !ok {
		return ""
	}
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return ""
		}
		rest = rest[end+1:]
	} else if end := strings.IndexAny(rest, ":/"); end >= 0 {
		rest = rest[end:]
	} else {
		return ""
	}
	port, ok := strings.CutPrefix(rest, ":")
	if !ok {
		return ""
	}
	port, _, _ = strings.Cut(port, "/")
	return port
}

func notUnderstood(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotUnderstood}, args...)...)
}

// printable shows an option letter, which may be any byte.
func printable(b byte) string {
	if b > ' ' && b < 0x7f {
		return string(rune(b))
	}
	return fmt.Sprintf("\\x%02x", b)
}
