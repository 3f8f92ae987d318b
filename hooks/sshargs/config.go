package sshargs

import (
	"errors"
	"strings"
)

// whitespace is what ssh's config reader takes for white space between a
// keyword and its value.
const whitespace = " \t\r\n"

// configLine splits one ssh_config line, as given to -o, into its keyword
// (in lower case) and its values, as ssh's process_config_line does. A
// line ssh ignores (empty, white space, a comment, a keyword with an
// unmatched quote) gives "" and no error; a line ssh rejects (a keyword
// without a value, unmatched quotes in the value) gives an error.
func configLine(line string) (keyword string, values []string, err error) {
	if line == "" {
		return "", nil, nil
	}
	// Trailing white space and form feeds go, all but the first byte.
	end := len(line)
	for end > 1 && strings.IndexByte(whitespace+"\f", line[end-1]) >= 0 {
		end--
	}
	line = line[:end]

	keyword, rest, more, ok := strdelim(line)
	if !ok {
		return "", nil, nil
	}
	if keyword == "" {
		if !more {
			return "", nil, nil
		}
		if keyword, rest, more, ok = strdelim(rest); !ok {
			return "", nil, nil
		}
	}
	if keyword == "" || keyword[0] == '\n' || keyword[0] == '#' {
		return "", nil, nil
	}
	keyword = lower(keyword)
	if more {
		rest = strings.TrimLeft(rest, whitespace)
	}
	if !more || rest == "" {
		return "", nil, errors.New("no value after the keyword")
	}
	values, err = splitValues(rest)
	if err != nil {
		return "", nil, err
	}
	return keyword, values, nil
}

// strdelim cuts the first token off s as ssh's strdelim does: a token
// ends at white space or at one '=' (with white space either side); a
// double quote inside it is removed and the token runs on to the next
// one. more is false when nothing follows the token, ok is false for an
// opening quote without its closing one.
func strdelim(s string) (token, rest string, more, ok bool) {
	i := strings.IndexAny(s, whitespace+"\"=")
	if i < 0 {
		return s, "", false, true
	}
	if s[i] == '"' {
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return "", "", false, false
		}
		j += i + 1
		return s[:i] + s[i+1:j], strings.TrimLeft(s[j+1:], whitespace), true, true
	}
	equals := s[i] == '='
	token, rest = s[:i], strings.TrimLeft(s[i+1:], whitespace)
	if !equals && strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], whitespace)
	}
	return token, rest, true, true
}

// splitValues splits the value part of a config line into words as ssh's
// argv_split does: words are separated by spaces and tabs, single or
// double quotes group, a backslash escapes a quote, a backslash, or (out
// of quotes) a space, and is kept before any other character; a word that
// starts with '#' begins a comment, which ends the line.
func splitValues(s string) ([]string, error) {
	var words []string
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			continue
		}
		if s[i] == '#' {
			break
		}
		var word strings.Builder
		var quote byte
	word:
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\':
				if i+1 < len(s) {
					next := s[i+1]
					if next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' ') {
						i++
						c = next
					}
				}
				word.WriteByte(c)
			case quote == 0 && (c == ' ' || c == '\t'):
				break word
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			case quote != 0 && c == quote:
				quote = 0
			default:
				word.WriteByte(c)
			}
		}
		if quote != 0 {
			return nil, errors.New("unmatched quote")
		}
		words = append(words, word.String())
	}
	return words, nil
}

// lower is ASCII lower case, as C's tolower in the C locale.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
