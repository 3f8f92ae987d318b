package cmdline

import "strings"

// split cuts line into simple commands, each a list of unquoted words.
// Control operators (; & | && || newline), grouping ( ) and the openers
// of command substitution ($( and `) end a command. Redirections and their
// targets are dropped, and a # at the start of a word comments out the
// rest of the line.
func split(line string) [][]string {
	var (
		cmds       [][]string
		words      []string
		word       strings.Builder
		inWord     bool
		skipTarget bool // the next word is a redirection target
	)
	endWord := func() {
		if !inWord {
			return
		}
		if skipTarget {
			skipTarget = false
		} else {
			words = append(words, word.String())
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
		skipTarget = false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\':
			if i+1 < len(line) {
				i++
				if line[i] != '\n' { // backslash-newline joins lines
					word.WriteByte(line[i])
					inWord = true
				}
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				end = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '$' && i+1 < len(line) && line[i+1] == '\'':
			i = readDollarQuote(line, i+2, &word)
			inWord = true
		case c == '"':
			i = readDoubleQuote(line, i+1, &word)
			inWord = true
		case c == '$' && i+1 < len(line) && line[i+1] == '(':
			endCmd()
			i++
		case c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || c == '`':
			endCmd()
		case c == '<' || c == '>':
			if !inWord || isDigits(word.String()) {
				word.Reset()
				inWord = false
			} else {
				endWord()
			}
			for i+1 < len(line) && (line[i+1] == '<' || line[i+1] == '>' || line[i+1] == '&' || line[i+1] == '|') {
				i++
			}
			skipTarget = true
		case c == ' ' || c == '\t' || c == '\r':
			endWord()
		case c == '#' && !inWord:
			nl := strings.IndexByte(line[i:], '\n')
			if nl < 0 {
				i = len(line)
			} else {
				i += nl - 1
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// readDoubleQuote copies a "…" string starting at line[i] into word and
// returns the index of its closing quote. Backslash escapes only $ ` " \
// and newline, as in POSIX sh.
func readDoubleQuote(line string, i int, word *strings.Builder) int {
	for ; i < len(line); i++ {
		c := line[i]
		if c == '"' {
			return i
		}
		if c == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\\n", line[i+1]) >= 0 {
			i++
			if line[i] != '\n' {
				word.WriteByte(line[i])
			}
			continue
		}
		word.WriteByte(c)
	}
	return i
}

// readDollarQuote copies a $'…' string starting at line[i] into word and
// returns the index of its closing quote. Escapes are kept loosely: \x is
// read as x, which is enough to find command names.
func readDollarQuote(line string, i int, word *strings.Builder) int {
	for ; i < len(line); i++ {
		c := line[i]
		if c == '\'' {
			return i
		}
		if c == '\\' && i+1 < len(line) {
			i++
			c = line[i]
		}
		word.WriteByte(c)
	}
	return i
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
