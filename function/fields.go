package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// uniqueFields returns an error naming the first field that an object of
// the JSON text event has twice, in the same or another case. encoding/json
// matches field names case-insensitively and keeps the last, so
// {"key": "a", "KEY": "b"} would read key "b" without a word.
func uniqueFields(event []byte) error {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	// A stack of the objects being read: the keys each has so far, and
	// whether the next token is a key.
	type object struct {
		keys   map[string]string
		keyNow bool
	}
	var stack []*object
	var path []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // the decoder that follows reports bad JSON
		}
		top := (*object)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		valueEnded := func() {
			// The object around the value, if any, wants a key next.
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].keyNow = true
			}
		}
		if top != nil && top.keyNow {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				path = path[:len(path)-1]
				valueEnded()
				continue
			}
			key := tok.(string)
			folded := strings.ToLower(key)
			if prev, dup := top.keys[folded]; dup {
				where := strings.Join(append(path[:len(path)-1:len(path)-1], key), ".")
				if prev == key {
					return fmt.Errorf("field %q given twice (at %s)", key, where)
				}
				return fmt.Errorf("field %q given twice, also as %q (at %s): JSON names match in any case", key, prev, where)
			}
			top.keys[folded] = key
			top.keyNow = false
			path[len(path)-1] = key
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{keys: make(map[string]string), keyNow: true})
			path = append(path, "")
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			path = append(path, "[]")
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			path = path[:len(path)-1]
		}
		valueEnded()
	}
}
