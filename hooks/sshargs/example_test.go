package sshargs_test

import (
	"fmt"

	"github.com/eich-dev/eich/hooks/sshargs"
)

// The ssh that `aws ec2-instance-connect ssh` runs names the throw-away
// key it wrote with -i; ssh reads options after the destination too.
func ExampleParse() {
	c, err := sshargs.Parse([]string{"ssh", "-o", "ServerAliveInterval=5", "-p", "22",
		"-i", "/tmp/tmpk2x9q1ab/private-key", "ec2-user@10.1.2.3", "-o", "IdentityFile=/home/alice/.ssh/id_ed25519"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Identities, c.Port, c.Destination, c.Query)
	// Output: [/tmp/tmpk2x9q1ab/private-key /home/alice/.ssh/id_ed25519] 22 ec2-user@10.1.2.3 false
}
