package job_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
)

// The error contract between the function and statemachine.asl.json: the
// names the ASL matches are the Go type names the Lambda runtime reports as
// errorType, transient ones are retried, permanent ones never are.

// names returns the names of the contract's classes of kind k.
func names(k job.Kind) []string {
	var out []string
	for _, c := range job.Contract {
		if c.Kind == k {
			out = append(out, c.Name())
		}
	}
	return out
}

func allNames() []string { return append(names(job.Permanent), names(job.Transient)...) }

const aslPath = "../../statemachine.asl.json"

// retrier and catcher are the parts of ASL Retry and Catch entries the
// contract is about.
type retrier struct {
	ErrorEquals []string
	MaxAttempts *int // absent means 3
}

type catcher struct {
	ErrorEquals []string
}

// state holds the fields of any ASL state that can contain Retry, Catch or
// nested states.
type state struct {
	Type          string
	Resource      string
	Arguments     map[string]any
	Retry         []retrier
	Catch         []catcher
	ItemProcessor *machine
	Iterator      *machine
	Branches      []machine
}

type machine struct {
	States map[string]state
}

// loadStates returns every state of the ASL, nested ones included, by name.
func loadStates(t *testing.T) map[string]state {
	t.Helper()
	data, err := os.ReadFile(aslPath)
	if err != nil {
		t.Fatal(err)
	}
	var m machine
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", aslPath, err)
	}
	all := make(map[string]state)
	var walk func(machine)
	walk = func(m machine) {
		for name, s := range m.States {
			all[name] = s
			if s.ItemProcessor != nil {
				walk(*s.ItemProcessor)
			}
			if s.Iterator != nil {
				walk(*s.Iterator)
			}
			for _, b := range s.Branches {
				walk(b)
			}
		}
	}
	walk(m)
	if len(all) == 0 {
		t.Fatalf("%s: no states", aslPath)
	}
	return all
}

// functionTasks returns the names of the Task states that invoke the function.
func functionTasks(t *testing.T, states map[string]state) []string {
	t.Helper()
	var out []string
	for name, s := range states {
		fn := s.Arguments["FunctionName"]
		if s.Type == "Task" && s.Resource == "arn:aws:states:::lambda:invoke" && (fn == "${SumFunctionArn}" || fn == "${TotalFunctionArn}") {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s: no Task state invokes the function", aslPath)
	}
	return out
}

// retries reports whether the retriers retry an error named name: the first
// retrier that matches it decides, as in Step Functions. States.ALL and
// States.TaskFailed match every error a function returns.
func retries(rs []retrier, name string) bool {
	for _, r := range rs {
		if slices.Contains(r.ErrorEquals, name) || slices.Contains(r.ErrorEquals, "States.ALL") || slices.Contains(r.ErrorEquals, "States.TaskFailed") {
			return r.MaxAttempts == nil || *r.MaxAttempts > 0
		}
	}
	return false
}

func TestASLErrorNamesAreErrorTypes(t *testing.T) {
	known := allNames()
	matched := 0
	for stateName, s := range loadStates(t) {
		var equals []string
		for _, r := range s.Retry {
			equals = append(equals, r.ErrorEquals...)
		}
		for _, c := range s.Catch {
			equals = append(equals, c.ErrorEquals...)
		}
		// An AWS SDK integration's errors are named after its service
		// (supported-services-awssdk.html): "Sfn.ThrottlingException" for
		// arn:aws:states:::aws-sdk:sfn:... Only such a state may match them.
		sdkService := ""
		if rest, ok := strings.CutPrefix(s.Resource, "arn:aws:states:::aws-sdk:"); ok {
			service, _, _ := strings.Cut(rest, ":")
			sdkService = strings.ToUpper(service[:1]) + service[1:] + "."
		}
		for _, name := range equals {
			if strings.HasPrefix(name, "States.") || strings.HasPrefix(name, "Lambda.") ||
				sdkService != "" && strings.HasPrefix(name, sdkService) {
				continue
			}
			matched++
			if !slices.Contains(known, name) {
				t.Errorf("state %s matches error %q; want one of the job error types %v", stateName, name, known)
			}
		}
	}
	if matched == 0 {
		t.Errorf("%s matches no job error type; want the transient ones retried", aslPath)
	}
}

func TestASLRetriesTransientErrorsOnly(t *testing.T) {
	states := loadStates(t)
	for _, task := range functionTasks(t, states) {
		for _, tc := range []struct {
			kind job.Kind
			want bool
		}{
			{job.Transient, true},
			{job.Permanent, false},
		} {
			for _, name := range names(tc.kind) {
				t.Run(task+"/"+name, func(t *testing.T) {
					if got := retries(states[task].Retry, name); got != tc.want {
						t.Errorf("state %s retries %s = %v; want %v", task, name, got, tc.want)
					}
				})
			}
		}
	}
}

// TestErrorTypesClassified checks that every exported error type of package
// job is in job.Contract exactly once, so that a new one cannot be left out
// of the ASL's retry policy unnoticed. StorageError is the one exception:
// a Storage returns it, and the job classifies it; no handler returns it.
func TestErrorTypesClassified(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var got []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Error" || len(fn.Recv.List) != 1 {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
				got = append(got, id.Name)
			}
		}
	}
	sort.Strings(got)
	want := append(allNames(), "StorageError")
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("exported error types of package job = %v; want %v, job.Contract's, each once", got, want)
	}
}

// TestREADMEErrorTable checks that the README's table of error names lists
// job.Contract's classes, in its order, each with its kind.
func TestREADMEErrorTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| errorType | Meaning | Kind |")
	if !ok {
		t.Fatal("README.md has no table headed | errorType | Meaning | Kind |")
	}
	var rows [][]string
	for line := range strings.Lines(strings.TrimPrefix(table, "\n")) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 3 || strings.Trim(cells[0], " -") == "" {
			continue // the separator row
		}
		rows = append(rows, cells)
	}
	if len(rows) != len(job.Contract) {
		t.Fatalf("README.md's error table has %d rows; want %d, one per job.Contract class", len(rows), len(job.Contract))
	}
	for i, c := range job.Contract {
		name := strings.Trim(strings.TrimSpace(rows[i][0]), "`")
		kind := strings.TrimSpace(rows[i][2])
		if name != c.Name() || !strings.HasPrefix(kind, c.Kind.String()) {
			t.Errorf("README.md's error table row %d: %s, %q; want %s, %s", i+1, name, kind, c.Name(), c.Kind)
		}
	}
}

// TestTemplateBatchLimits checks that template.yaml lets the ItemBatcher
// send no batch larger than Batch is known to take (TestBatchTemplateLimits):
// the parameters are whole numbers (Type String with an AllowedPattern) whose
// largest allowed value is the limit.
func TestTemplateBatchLimits(t *testing.T) {
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for param, want := range map[string]int{"BatchSize": job.MaxBatchItems, "BatchMaxBytes": job.MaxBatchInputBytes} {
		pattern := parameterField(string(tmpl), param, "AllowedPattern")
		re, err := regexp.Compile(pattern)
		if err != nil {
			t.Errorf("template.yaml: %s AllowedPattern %q: %v", param, pattern, err)
			continue
		}
		for _, v := range []string{strconv.Itoa(want), strconv.Itoa(want + 1), strconv.Itoa(want / 2), "1.5", "1e3"} {
			got := re.MatchString(v)
			n, err := strconv.Atoi(v)
			if ok := err == nil && n <= want; got != ok {
				t.Errorf("template.yaml: %s AllowedPattern %q matches %q = %v; want %v", param, pattern, v, got, ok)
			}
		}
	}
}

// parameterField returns a field of a parameter of a template in the layout
// of ours: "  Name:" at two spaces, its properties at four.
func parameterField(tmpl, param, field string) string {
	_, rest, ok := strings.Cut(tmpl, "\n  "+param+":\n")
	if !ok {
		return ""
	}
	for line := range strings.Lines(rest) {
		if !strings.HasPrefix(line, "    ") {
			break
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestResultsPrefixAgrees checks that the Map writes its results where the
// function looks for them: the ResultWriter's Prefix, the BatchInput's
// resultsPrefix, the functions' SUMSQ_RESULTS_PREFIX and
// job.DefaultResultsPrefix are one prefix.
func TestResultsPrefixAgrees(t *testing.T) {
	asl, err := os.ReadFile(aslPath)
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		States map[string]struct {
			ResultWriter *struct{ Arguments struct{ Prefix string } }
			ItemBatcher  *struct {
				BatchInput struct{ ResultsPrefix string }
			}
		}
	}
	if err := json.Unmarshal(asl, &def); err != nil {
		t.Fatal(err)
	}
	maps := 0
	for name, s := range def.States {
		if s.ResultWriter == nil {
			continue
		}
		maps++
		if got := s.ResultWriter.Arguments.Prefix + "/"; got != job.DefaultResultsPrefix {
			t.Errorf("state %s: ResultWriter Prefix %q; want %q", name, s.ResultWriter.Arguments.Prefix, strings.TrimSuffix(job.DefaultResultsPrefix, "/"))
		}
		if s.ItemBatcher != nil && s.ItemBatcher.BatchInput.ResultsPrefix != job.DefaultResultsPrefix {
			t.Errorf("state %s: BatchInput resultsPrefix %q; want %q", name, s.ItemBatcher.BatchInput.ResultsPrefix, job.DefaultResultsPrefix)
		}
	}
	if maps == 0 {
		t.Fatalf("%s has no state with a ResultWriter", aslPath)
	}
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	settings := regexp.MustCompile(`SUMSQ_RESULTS_PREFIX: *(\S+)`).FindAllStringSubmatch(string(tmpl), -1)
	if len(settings) != 2 {
		t.Fatalf("template.yaml sets SUMSQ_RESULTS_PREFIX %d times; want once for each function", len(settings))
	}
	for _, m := range settings {
		if got := strings.Trim(m[1], `"'`); got != job.DefaultResultsPrefix {
			t.Errorf("template.yaml: SUMSQ_RESULTS_PREFIX %s; want %s", got, job.DefaultResultsPrefix)
		}
	}
}
