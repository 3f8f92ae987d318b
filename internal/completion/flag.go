package completion

import "github.com/urfave/cli/v3"

// Flag is a flag that takes a string, shown in help with a placeholder of
// its own instead of urfave/cli's type name: "--max-auth-tries N",
// "--lock-wait DURATION", "--config FILE". A placeholder written as a|b|c
// ("--mode auto|always|off") lists the values, which the completions
// offer after the flag; with TakesFile set they offer file names. The
// value stays a string: whoever reads it checks it (for the settings, the
// one validator in package settings), so help and completion add no second
// check.
type Flag struct {
	cli.StringFlag
	Placeholder string
}

// TypeName is the placeholder, which urfave/cli's help prints after the
// flag's name.
func (f *Flag) TypeName() string { return f.Placeholder }

// String is the flag's help line. cli.StringFlag's own would describe the
// flag it is embedded as, without this placeholder.
func (f *Flag) String() string { return cli.FlagStringer(f) }
