package job

import "testing"

// TestCodecTable checks the rows of codecs against each other: a name and
// a suffix each of its own, a way to recognise its data, an opener, and a
// sniff long enough for every row's first bytes.
func TestCodecTable(t *testing.T) {
	names, suffixes := map[string]bool{}, map[string]bool{}
	for _, c := range codecs {
		switch {
		case c.name == "" || names[c.name]:
			t.Errorf("codec %q: a name of its own wanted", c.name)
		case c.suffix == "" || suffixes[c.suffix]:
			t.Errorf("codec %s: suffix %q is empty or another codec's", c.name, c.suffix)
		case c.magic == nil && (c.sniff == nil || c.sniffBytes <= 0):
			t.Errorf("codec %s: neither a magic number nor a sniff function", c.name)
		case c.open == nil:
			t.Errorf("codec %s: no opener", c.name)
		case c.headBytes() > sniffBytes:
			t.Errorf("codec %s needs %d first bytes; sniff reads %d", c.name, c.headBytes(), sniffBytes)
		}
		names[c.name], suffixes[c.suffix] = true, true
	}
}
