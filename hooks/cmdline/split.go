package cmdline

import "strings"

// split cuts line into simple commands, each a list of unquoted words.
// Control operators (; & | && || newline), grouping ( ) and the openers
// of command substitution ($( and `) end a command. Redirections and their
// targets are dropped, and a # at the start of a word comments out the
// rest of the line. The body of a here-document (<<WORD, <<-WORD) is
// text, not commands: the lines after the operator's line, up to the one
// that is WORD (without its quotes), are skipped.
func split(line string) [][]string {
	var (
		cmds       [][]string
		words      []string
		word       strings.Builder
		inWord     bool
		skipTarget bool // the next word is a redirection target
		docTarget  bool // ... and the delimiter of a here-document
		docTabs    bool // ... whose lines may start with tabs (<<-)
		docs       []heredoc
	)
	endWord := func() {
		if !inWord {
			return
		}
		switch {
		case docTarget:
			docs = append(docs, heredoc{word.String(), docTabs})
			docTarget, skipTarget = false, false
		case skipTarget:
			skipTarget = false
		default:
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
		skipTarget, docTarget = false, false
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
		case c == '\n':
			endCmd()
			if len(docs) > 0 {
				i = skipHeredocs(line, i+1, docs) - 1
				docs = docs[:0]
			}
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`':
			endCmd()
		case c == '<' || c == '>':
			if !inWord || isDigits(word.String()) {
				word.Reset()
				inWord = false
			} else {
				endWord()
			}
			start := i
			for i+1 < len(line) && (line[i+1] == '<' || line[i+1] == '>' || line[i+1] == '&' || line[i+1] == '|') {
				i++
			}
			// << and <<- open a here-document; <<< is a here-string.
			if line[start:i+1] == "<<" {
				docTarget, docTabs = true, i+1 < len(line) && line[i+1] == '-'
				if docTabs {
					i++
				}
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

// heredoc is a here-document whose body is still to come.
type heredoc struct {
	delim     string // the word that ends it, quotes removed
	stripTabs bool   // <<-: leading tabs of its lines are not read
}

// skipHeredocs returns the index in line just past the bodies of docs,
// which start at line[i], one after the other. A body without its end
// runs to the end of the line.
func skipHeredocs(line string, i int, docs []heredoc) int {
	for _, d := range docs {
		for i < len(line) {
			l := line[i:]
			if nl := strings.IndexByte(l, '\n'); nl >= 0 {
				l = l[:nl]
			}
			i += len(l) + 1
			if d.stripTabs {
				l = strings.TrimLeft(l, "\t")
			}
			if l == d.delim {
				break
			}
		}
	}
	return min(i, len(line))
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
