package proc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// parseProcArgs2 splits a kern.procargs2 buffer into the executable path
// and the argument list. The buffer is, in order: argc as an int32 in host
// byte order; the executable path, NUL-terminated; NUL padding; argc
// NUL-terminated arguments; the environment and the kernel's "apple"
// strings, which are not read.
//
// The padding and an empty argv[0] are the same bytes, so an empty first
// argument is taken for padding (as ps does); the arguments after it keep
// their empty strings. A buffer that ends before argc arguments, or whose
// argc is negative or larger than the buffer could hold, is an error.
func parseProcArgs2(buf []byte) (exe string, args []string, err error) {
	if len(buf) < 4 {
		return "", nil, fmt.Errorf("procargs2: %d bytes, too short for argc", len(buf))
	}
	argc := int64(int32(binary.NativeEndian.Uint32(buf)))
	rest := buf[4:]
	if argc < 0 {
		return "", nil, fmt.Errorf("procargs2: negative argc %d", argc)
	}
	// Each argument takes at least its NUL.
	if argc > int64(len(rest)) {
		return "", nil, fmt.Errorf("procargs2: argc %d, but only %d bytes follow", argc, len(rest))
	}
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return "", nil, errors.New("procargs2: executable path not NUL-terminated")
	}
	exe = string(rest[:end])
	rest = rest[end+1:]
	if argc == 0 {
		return exe, []string{}, nil
	}
	rest = bytes.TrimLeft(rest, "\x00")
	args = make([]string, 0, min(argc, 64))
	for int64(len(args)) < argc {
		end := bytes.IndexByte(rest, 0)
		if end < 0 {
			return "", nil, fmt.Errorf("procargs2: truncated after %d of %d arguments", len(args), argc)
		}
		args = append(args, string(rest[:end]))
		rest = rest[end+1:]
	}
	return exe, args, nil
}
