//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
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
	}
}

// stateMachineDefinition renders statemachine.asl.json as CloudFormation
// would with template.yaml's DefinitionSubstitutions, then makes it
// runnable by moto (motoCompatible).
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
	def, err := motoCompatible(rendered)
	if err != nil {
		t.Fatalf("motoCompatible: %v", err)
	}
	return string(def)
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

// motoCompatible rewrites a rendered definition so that moto 5.2.1's
// interpreter accepts and runs it. This is the only place the e2e tests
// change the workflow; each rewrite works around one defect of moto, fails
// loudly when the definition no longer has what it rewrites, and removes a
// path that Go tests of the same payloads cover instead (README.md):
//
//   - ItemBatcher: moto's grammar rejects it. The rewrite drops it and wraps
//     the ItemSelector so each item is a one-object batch with the batcher's
//     BatchInput, {"Items": [item], "BatchInput": ...}: the very shape
//     ItemBatcher sends, so the function's batch path, with its per-object
//     failures, still runs for every object.
//   - ProcessorConfig.ExecutionType EXPRESS: rejected by the grammar;
//     rewritten to STANDARD (the children's semantics are the same here:
//     one Task with its Retry).
//   - ResultWriter: moto writes only an empty manifest.json, no result
//     files. The rewrite drops it, so the Map's output is the array of batch
//     results and Total gets them inline, a shape the function accepts.
//   - ToleratedFailurePercentage as an integer literal: rejected by the
//     grammar (10.0 is accepted); rewritten as the same number with ".0".
//     A JSONata string is left as it is.
func motoCompatible(def []byte) ([]byte, error) {
	var sm map[string]any
	dec := json.NewDecoder(bytes.NewReader(def))
	dec.UseNumber() // numbers keep their text
	if err := dec.Decode(&sm); err != nil {
		return nil, err
	}
	var maps []map[string]any
	walkStates(sm, func(state map[string]any) {
		if object(object(state, "ItemProcessor"), "ProcessorConfig")["Mode"] == "DISTRIBUTED" {
			maps = append(maps, state)
		}
	})
	if len(maps) != 1 {
		return nil, fmt.Errorf("want one Distributed Map state, found %d", len(maps))
	}
	m := maps[0]

	// ItemBatcher -> one-object batches built by the ItemSelector.
	batcher, ok := m["ItemBatcher"].(map[string]any)
	if !ok {
		return nil, errors.New("the Map has no ItemBatcher")
	}
	selector, ok := m["ItemSelector"]
	if !ok {
		return nil, errors.New("the Map has no ItemSelector")
	}
	batch := map[string]any{"Items": []any{selector}}
	if in, ok := batcher["BatchInput"]; ok {
		batch["BatchInput"] = in
	}
	m["ItemSelector"] = batch
	delete(m, "ItemBatcher")

	// EXPRESS -> STANDARD.
	pc := object(object(m, "ItemProcessor"), "ProcessorConfig")
	if pc["ExecutionType"] != "EXPRESS" {
		return nil, fmt.Errorf("the Map's ExecutionType is %v, not EXPRESS", pc["ExecutionType"])
	}
	pc["ExecutionType"] = "STANDARD"

	// ResultWriter -> inline results.
	if _, ok := m["ResultWriter"]; !ok {
		return nil, errors.New("the Map has no ResultWriter")
	}
	delete(m, "ResultWriter")

	// Integer ToleratedFailurePercentage -> float.
	switch v := m["ToleratedFailurePercentage"].(type) {
	case json.Number:
		if !strings.ContainsAny(v.String(), ".eE") {
			m["ToleratedFailurePercentage"] = json.RawMessage(v.String() + ".0")
		}
	case string: // JSONata, accepted
	case nil:
		if _, ok := m["ToleratedFailureCount"]; !ok {
			return nil, errors.New("the Map has neither ToleratedFailurePercentage nor ToleratedFailureCount")
		}
	default:
		return nil, fmt.Errorf("unexpected ToleratedFailurePercentage %v", v)
	}

	return json.MarshalIndent(sm, "", "  ")
}

// object returns m[key] if it is a JSON object, else nil (which reads as
// an empty object).
func object(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// walkStates calls f for every state of sm and of the state machines nested
// in its Map and Parallel states.
func walkStates(sm map[string]any, f func(state map[string]any)) {
	states, _ := sm["States"].(map[string]any)
	for _, s := range states {
		state, ok := s.(map[string]any)
		if !ok {
			continue
		}
		f(state)
		for _, key := range []string{"ItemProcessor", "Iterator"} {
			if sub, ok := state[key].(map[string]any); ok {
				walkStates(sub, f)
			}
		}
		if branches, ok := state["Branches"].([]any); ok {
			for _, b := range branches {
				if sub, ok := b.(map[string]any); ok {
					walkStates(sub, f)
				}
			}
		}
	}
}

// TestMotoCompatible checks each rewrite on a small definition with what
// they rewrite, and that a definition without it is refused.
func TestMotoCompatible(t *testing.T) {
	const base = `{"StartAt": "M", "States": {"M": {"Type": "Map",
		"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Arguments": {"Bucket": "b"}},
		"ItemSelector": {"key": "{% $states.context.Map.Item.Value.Key %}"},
		"ItemBatcher": {"MaxItemsPerBatch": 20, "BatchInput": {"bucket": "b"}},
		"ToleratedFailurePercentage": 10,
		"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
			"StartAt": "T", "States": {"T": {"Type": "Pass", "End": true}}},
		"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b", "Prefix": "results"}},
		"End": true}}}`
	got, err := motoCompatible([]byte(base))
	if err != nil {
		t.Fatalf("motoCompatible(base) = %v", err)
	}
	var sm struct {
		States struct {
			M map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(got, &sm); err != nil {
		t.Fatal(err)
	}
	m := sm.States.M
	for key, want := range map[string]string{
		"ItemSelector":               `{"BatchInput":{"bucket":"b"},"Items":[{"key":"{% $states.context.Map.Item.Value.Key %}"}]}`,
		"ToleratedFailurePercentage": `10.0`,
		"ItemBatcher":                ``,
		"ResultWriter":               ``,
	} {
		var compact bytes.Buffer
		if len(m[key]) > 0 {
			json.Compact(&compact, m[key])
		}
		if compact.String() != want {
			t.Errorf("motoCompatible(base): %s = %s; want %s", key, compact.String(), want)
		}
	}
	if !bytes.Contains(m["ItemProcessor"], []byte(`"ExecutionType": "STANDARD"`)) {
		t.Errorf("motoCompatible(base): ItemProcessor = %s; want ExecutionType STANDARD", m["ItemProcessor"])
	}

	for _, tc := range []struct {
		name, old, new, err string
	}{
		{"no ItemBatcher", `"ItemBatcher"`, `"Batcher"`, "no ItemBatcher"},
		{"no ItemSelector", `"ItemSelector"`, `"Selector"`, "no ItemSelector"},
		{"no ResultWriter", `"ResultWriter"`, `"Writer"`, "no ResultWriter"},
		{"STANDARD children", `"EXPRESS"`, `"STANDARD"`, "not EXPRESS"},
		{"no Distributed Map", `"DISTRIBUTED"`, `"INLINE"`, "want one Distributed Map"},
		{"no tolerated failure", `"ToleratedFailurePercentage"`, `"Tolerated"`, "neither ToleratedFailurePercentage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := motoCompatible([]byte(strings.Replace(base, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("motoCompatible = %v; want an error with %q", err, tc.err)
			}
		})
	}
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
