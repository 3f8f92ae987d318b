package cmdline_test

import (
	"fmt"

	"github.com/eich-dev/eich/hooks/cmdline"
)

// The hooks pass the typed line as data; IsEIC reads it with the shell's
// grammar and the grammar of each wrapper, and evaluates nothing.
func ExampleIsEIC() {
	for _, line := range []string{
		"aws --profile prod ec2-instance-connect ssh --instance-id i-0abc",
		"AWS_PROFILE=prod aws-vault exec prod -- aws ec2-instance-connect ssh --instance-id i-0abc",
		`git commit -m "aws ec2-instance-connect ssh"`,
		"aws ec2-instance-connect ssh help",
	} {
		fmt.Println(cmdline.IsEIC(line, nil), line)
	}
	// Output:
	// true aws --profile prod ec2-instance-connect ssh --instance-id i-0abc
	// true AWS_PROFILE=prod aws-vault exec prod -- aws ec2-instance-connect ssh --instance-id i-0abc
	// false git commit -m "aws ec2-instance-connect ssh"
	// false aws ec2-instance-connect ssh help
}
