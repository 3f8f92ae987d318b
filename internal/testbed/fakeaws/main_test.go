package main

import (
	"strings"
	"testing"
)

// TestParse checks that the stand-in reads command lines the way AWS CLI v2
// does: global options anywhere, --opt value and --opt=value.
func TestParse(t *testing.T) {
	for _, args := range []string{
		"ec2-instance-connect ssh --instance-id i-1",
		"--profile p --region eu-west-1 ec2-instance-connect ssh --instance-id i-1",
		"ec2-instance-connect --profile p ssh --instance-id i-1 --debug",
		"ec2-instance-connect ssh --instance-id=i-1 --os-user ec2-user --connection-type direct --output json",
		"--no-cli-pager ec2-instance-connect ssh --region=us-east-1 --instance-id i-1",
	} {
		inv, err := parse(strings.Fields(args))
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		if inv.opts["--instance-id"] != "i-1" {
			t.Errorf("%q: instance id %q", args, inv.opts["--instance-id"])
		}
	}
	for _, args := range []string{
		"ec2-instance-connect ssh",
		"ec2 describe-instances",
		"ec2-instance-connect ssh --instance-id",
		"ec2-instance-connect ssh --instance-id i-1 --bogus",
	} {
		if _, err := parse(strings.Fields(args)); err == nil {
			t.Errorf("%q: no usage error", args)
		}
	}
}
