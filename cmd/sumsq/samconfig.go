package main

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// DefaultStackName is the stack start looks for when neither -stack nor
// samconfig.toml names one.
const DefaultStackName = "sumsq"

// samDefaults is what start takes from samconfig.toml: the stack name and
// the region that sam deploy uses.
type samDefaults struct {
	StackName, Region string
}

// readSAMConfig reads the stack_name and region that "sam deploy" would
// use from the samconfig.toml at path: those of [default.deploy.parameters],
// else of [default.global.parameters]. A missing file gives zero values.
//
// It understands only what these keys need, lines of the form
// key = "value" (or 'value') under a [section] header, and so needs no TOML
// library.
func readSAMConfig(path string) (samDefaults, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return samDefaults{}, nil
	}
	if err != nil {
		return samDefaults{}, err
	}
	defer f.Close()
	var global, deploy samDefaults
	var section *samDefaults // nil outside the two sections
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			switch strings.ReplaceAll(strings.Trim(line, "[] \t"), " ", "") {
			case "default.global.parameters":
				section = &global
			case "default.deploy.parameters":
				section = &deploy
			default:
				section = nil
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if section == nil || !ok {
			continue
		}
		value, ok = tomlString(strings.TrimSpace(value))
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "stack_name":
			section.StackName = value
		case "region":
			section.Region = value
		}
	}
	if err := sc.Err(); err != nil {
		return samDefaults{}, err
	}
	if deploy.StackName == "" {
		deploy.StackName = global.StackName
	}
	if deploy.Region == "" {
		deploy.Region = global.Region
	}
	return deploy, nil
}

// tomlString returns the value of a TOML basic ("...") or literal ('...')
// string followed by nothing but a comment.
func tomlString(s string) (string, bool) {
	if strings.HasPrefix(s, "'") {
		v, rest, ok := strings.Cut(s[1:], "'")
		return v, ok && isComment(rest)
	}
	if !strings.HasPrefix(s, `"`) {
		return "", false
	}
	// A basic string ends at the first unescaped quote; its escapes are
	// close enough to Go's for stack names and regions.
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			return v, err == nil && isComment(s[i+1:])
		}
	}
	return "", false
}

func isComment(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.HasPrefix(s, "#")
}
