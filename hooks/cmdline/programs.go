package cmdline

import "strings"

// The programs whose own arguments decide: aws (is it `ec2-instance-connect
// ssh`, and not its help?), aws-vault (which command does `exec` run?),
// mssh (a login, or its help?).

// isAWSGlobalWithValue: opt is an AWS CLI v2 global option that takes a
// value.
func isAWSGlobalWithValue(opt string) bool {
	switch opt {
	case "--profile", "--region", "--output", "--endpoint-url",
		"--query", "--cli-read-timeout", "--cli-connect-timeout",
		"--ca-bundle", "--color", "--cli-binary-format", "--cli-error-format":
		return true
	}
	return false
}

// isAWSGlobalFlag: opt is an AWS CLI v2 global option that takes no
// value.
func isAWSGlobalFlag(opt string) bool {
	switch opt {
	case "--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request",
		"--no-cli-pager", "--cli-auto-prompt", "--no-cli-auto-prompt":
		return true
	}
	return false
}

// awsRunsEICSSH reads the arguments of `aws`: global options may stand
// before or after the service; the first two plain words must be the
// service `ec2-instance-connect` and the operation `ssh`. The CLI shows
// help instead of logging in for `ssh help` (a `help` that is no
// option's value; any other place of it is an error), and prints its
// version for --version anywhere; --help and -h are no options of
// its (an error). None of them is a login. Every option of `ssh` takes
// a value, so after `ssh` an option that is not a global flag is
// followed by its value.
func awsRunsEICSSH(args []string) bool {
	want := [...]string{"ec2-instance-connect", "ssh"}
	found := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--version" || a == "--help" || a == "-h":
			return false
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") &&
				(isAWSGlobalWithValue(a) || found == len(want) && !isAWSGlobalFlag(a)) {
				i++
			}
		case found < len(want):
			if a != want[found] {
				return false
			}
			found++
		case a == "help":
			return false
		}
	}
	return found == len(want)
}

// msshShowsHelp reports whether mssh, given args, prints its help
// instead of logging in. It reads its options with Python's argparse,
// which acts on -h or --help, or a prefix of it (--he), wherever it
// stands before a "--", and on an h after its flag -d in one word (-dh).
// (A -h given as the value of -u, -t, -r or -z is an error: no login
// either.)
func msshShowsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if long, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ := strings.Cut(long, "=")
			if name != "" && strings.HasPrefix("help", name) {
				return true
			}
			continue
		}
		for i := 1; i < len(a) && a[0] == '-'; i++ {
			if a[i] == 'h' {
				return true
			}
			if a[i] != 'd' {
				break
			}
		}
	}
	return false
}

// awsVaultFlag reads one word of aws-vault's that starts with '-'
// (kingpin's grammar: --name, --name=value, --name value, clustered
// short flags, -dVALUE, -d VALUE). next: the following word is its value;
// stop: aws-vault runs no command (help, version, completion scripts);
// known: every flag in the word is aws-vault's (global or exec's, in the
// 99designs release and the ByteNess fork; kingpin takes global flags
// after the subcommand too).
func awsVaultFlag(w string) (next, stop, known bool) {
	if long, ok := strings.CutPrefix(w, "--"); ok {
		name, _, eq := strings.Cut(long, "=")
		switch name {
		case "help", "help-long", "help-man", "version",
			"completion-bash", "completion-script-bash", "completion-script-zsh":
			return false, true, true
		case "backend", "prompt", "keychain", "secret-service-collection",
			"pass-dir", "pass-cmd", "pass-prefix", "file-dir",
			"op-timeout", "op-vault-id", "op-item-title-prefix", "op-item-tag",
			"op-connect-host", "op-desktop-account-id",
			"proton-pass-share-id", "proton-pass-item-title-prefix",
			"proton-pass-api-base", "proton-pass-timeout",
			"duration", "region", "mfa-token":
			return !eq, false, true
		}
		name = strings.TrimPrefix(name, "no-") // kingpin's --no-FLAG
		switch name {
		case "debug", "biometrics", "session", "no-session", "json", "server",
			"ec2-server", "ecs-server", "lazy", "stdout", "profile-env":
			return false, false, true
		}
		return false, false, false
	}
	known = true
	for i := 1; i < len(w); i++ {
		switch w[i] {
		case 'd', 't': // --duration, --mfa-token
			return i == len(w)-1, false, known
		case 'v', 'h': // --version (the fork's), and -h, which is an error
			return false, true, known
		case 'n', 'j', 's': // --no-session, --json, --server
		default:
			known = false
		}
	}
	return false, false, known
}

// skipAWSVault reads `aws-vault [flags] exec [flags] PROFILE [--] COMMAND…`
// and returns COMMAND…; other aws-vault subcommands run nothing. Flags
// may stand anywhere before a "--", which only ends them: the first word
// after it may still be PROFILE. A flag the tables do not know (a newer
// release's) is read as one without a value: read with one, the "value"
// could be the profile and `aws-vault exec --new p echo aws …` a login.
// Without "--", aws-vault reads the words after COMMAND for its own
// flags too, and refuses any it does not know: `aws-vault exec p aws
// ec2-instance-connect ssh --instance-id i-1` runs nothing.
func skipAWSVault(words []string) []string {
	positional, argsOnly := 0, false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case !argsOnly && w == "--":
			argsOnly = true
		case !argsOnly && len(w) > 1 && w[0] == '-':
			next, stop, _ := awsVaultFlag(w)
			if stop || next && i+1 == len(words) {
				return nil
			}
			if next {
				i++
			}
		case positional == 0 && w != "exec":
			return nil
		case positional < 2: // exec, PROFILE
			positional++
		default:
			if !argsOnly && !awsVaultTakesFlagsIn(words[i+1:]) {
				return nil
			}
			return words[i:]
		}
	}
	return nil
}

// awsVaultTakesFlagsIn reports whether aws-vault accepts the words that
// start with '-' in args, the command's words before any "--": it reads
// them as its own flags.
func awsVaultTakesFlagsIn(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return true
		}
		if len(a) > 1 && a[0] == '-' {
			if _, stop, known := awsVaultFlag(a); stop || !known {
				return false
			}
		}
	}
	return true
}
