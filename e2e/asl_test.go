//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// definitionParams are the values the tests give the template's
// DefinitionSubstitutions.
type definitionParams struct {
	DataBucket                 string
	MaxConcurrency             int
	BatchSize                  int
	BatchMaxBytes              int
	ToleratedFailurePercentage int
	FunctionTimeout            int // seconds
	SplitSizeMiB               int // 0: the template's default
	TotalPartBytes             int // 0: the template's value
}

func (p definitionParams) substitutions() map[string]string {
	return map[string]string{
		"DataBucket":     p.DataBucket,
		"SumFunctionArn": functionARN,
		// The template deploys the Total as a second function of the same
		// code; here one function, served by the emulator pool, is both.
		"TotalFunctionArn":           functionARN,
		"MaxConcurrency":             fmt.Sprint(p.MaxConcurrency),
		"BatchSize":                  fmt.Sprint(p.BatchSize),
		"BatchMaxBytes":              fmt.Sprint(p.BatchMaxBytes),
		"ToleratedFailurePercentage": fmt.Sprint(p.ToleratedFailurePercentage),
		"FunctionTimeout":            fmt.Sprint(p.FunctionTimeout),
		"SplitSizeMiB":               fmt.Sprint(cmp.Or(p.SplitSizeMiB, 256)),
		"TotalPartBytes":             fmt.Sprint(cmp.Or(p.TotalPartBytes, 256<<20)),
	}
}

// stateMachineDefinition renders statemachine.asl.json as CloudFormation
// would with template.yaml's DefinitionSubstitutions. Nothing else changes:
// the twin runs the deployed definition as it is (see README.md).
func stateMachineDefinition(t testing.TB, p definitionParams) string {
	t.Helper()
	root := repoRoot(t)
	asl, err := os.ReadFile(filepath.Join(root, "statemachine.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	template, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := definitionSubstitutions(template)
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := render(asl, keys, p.substitutions())
	if err != nil {
		t.Fatal(err)
	}
	return string(rendered)
}

// retryAttempts returns the MaxAttempts of the first retrier of the state
// named state that matches errorName, as the ASL picks it (0 if none does;
// 3 when the retrier leaves MaxAttempts out).
func retryAttempts(t testing.TB, definition, state, errorName string) int {
	t.Helper()
	var sm map[string]any
	if err := json.Unmarshal([]byte(definition), &sm); err != nil {
		t.Fatal(err)
	}
	var found map[string]any
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		states, _ := m["States"].(map[string]any)
		for name, s := range states {
			s, _ := s.(map[string]any)
			if name == state {
				found = s
			}
			if p, ok := s["ItemProcessor"].(map[string]any); ok {
				walk(p)
			}
		}
	}
	walk(sm)
	if found == nil {
		t.Fatalf("the definition has no state %s", state)
	}
	retry, _ := found["Retry"].([]any)
	for _, r := range retry {
		r, _ := r.(map[string]any)
		errs, _ := r["ErrorEquals"].([]any)
		for _, e := range errs {
			if e == errorName || e == "States.ALL" {
				n, ok := r["MaxAttempts"].(float64)
				if !ok {
					return 3
				}
				return int(n)
			}
		}
	}
	return 0
}

// definitionSubstitutions returns the keys of the state machine's
// DefinitionSubstitutions in template.yaml: the indented "Key: value" lines
// under it. (A YAML parser for one mapping is not worth a dependency.)
func definitionSubstitutions(template []byte) ([]string, error) {
	var keys []string
	indent := -1
	sc := bufio.NewScanner(bytes.NewReader(template))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		switch {
		case indent < 0:
			if trimmed == "DefinitionSubstitutions:" {
				indent = depth
			}
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case depth <= indent:
			return keys, nil
		default:
			key, _, ok := strings.Cut(trimmed, ":")
			if !ok {
				return nil, fmt.Errorf("template.yaml: DefinitionSubstitutions: unexpected line %q", line)
			}
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("template.yaml has no DefinitionSubstitutions")
	}
	return keys, sc.Err()
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// render replaces each ${Key} as CloudFormation does (plain text). Every
// key of the template must have a test value and every placeholder in the
// definition must be a key of the template.
func render(asl []byte, keys []string, values map[string]string) ([]byte, error) {
	for _, k := range keys {
		if _, ok := values[k]; !ok {
			return nil, fmt.Errorf("template.yaml substitutes ${%s}, which the tests give no value", k)
		}
	}
	var missing []string
	out := placeholder.ReplaceAllFunc(asl, func(m []byte) []byte {
		k := string(m[2 : len(m)-1])
		if !slices.Contains(keys, k) {
			missing = append(missing, k)
			return m
		}
		return []byte(values[k])
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("statemachine.asl.json uses %v, not in template.yaml's DefinitionSubstitutions", missing)
	}
	if !json.Valid(out) {
		return nil, errors.New("statemachine.asl.json is not valid JSON once rendered")
	}
	return out, nil
}

// TestStateMachineDefinition renders the repository's definition with the
// template's substitutions and checks that nothing is left to substitute.
func TestStateMachineDefinition(t *testing.T) {
	def := stateMachineDefinition(t, definitionParams{DataBucket: "blog", MaxConcurrency: 3, BatchSize: 20,
		BatchMaxBytes: 65536, FunctionTimeout: 30})
	if m := placeholder.FindString(def); m != "" {
		t.Errorf("the rendered definition still has %s", m)
	}
	for _, want := range []string{`"Bucket": "blog"`, `"FunctionName": "` + functionARN + `"`} {
		if !strings.Contains(def, want) {
			t.Errorf("the rendered definition has no %s:\n%s", want, def)
		}
	}
}
