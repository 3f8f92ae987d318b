package keyclass

import "strings"

// isBase64 marks the bytes of unpadded standard base64. A constant
// table: it costs nothing at start-up.
var isBase64 = [256]bool{
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true,
	'J': true, 'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true,
	'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true,
	'j': true, 'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true,
	's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true,
	'9': true, '+': true, '/': true,
}

// ValidFingerprint reports whether s is an OpenSSH SHA256 fingerprint:
// "SHA256:" and 43 characters of unpadded base64.
func ValidFingerprint(s string) bool {
	const prefix = "SHA256:"
	if len(s) != len(prefix)+43 || !strings.HasPrefix(s, prefix) {
		return false
	}
	// Bytes, not runes: every valid byte is ASCII, and decoding runes
	// made this half the cost of reading the ledger.
	for i := len(prefix); i < len(s); i++ {
		if !isBase64[s[i]] {
			return false
		}
	}
	return true
}
