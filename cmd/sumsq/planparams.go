package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// A stackParam is a parameter of template.yaml that a plan depends on: its
// default there, the values it allows, and the flag of sumsq plan that
// overrides it.
type stackParam struct {
	name     string // as template.yaml names it
	flag     string // sumsq plan's
	def      string // template.yaml's Default
	min, max int    // the whole numbers it allows; both 0: "true" or "false"
	arg      string // the flag's value, as the synopsis names it: N, MB, S, B
	usage    string
}

// stackParams are the parameters a plan depends on, with template.yaml's
// defaults and ranges (TestPlanParamsMatchTemplate checks them).
var stackParams = []stackParam{
	{"BatchSize", "batch-size", "1000", 1, 1000, "N", "objects per batch (MaxItemsPerBatch)"},
	{"BatchMaxBytes", "batch-max-bytes", "131072", 4096, 131072, "N", "bytes of batch input (MaxInputBytesPerBatch)"},
	{"MaxConcurrency", "max-concurrency", "10", 1, 10000, "N", "child executions of a Map at once"},
	{"FunctionMemory", "memory", "1024", 128, 10240, "MB", "the memory of the batch function (the Total function has 1769)"},
	{"FunctionTimeout", "function-timeout", "60", 10, 60, "S", "seconds: the batch function's timeout"},
	{"SplitSizeMiB", "split-size-mib", "256", 8, 65536, "N", "MiB: objects of this size or more are summed in ranges of this size"},
	{"Tracing", "tracing", "true", 0, 0, "B", "true or false: X-Ray traces of both functions"},
}

// TotalPartMiB is how much of the data Map Run's results one TotalParts
// child reads: a fixed value of template.yaml's DefinitionSubstitutions,
// not a parameter.
const TotalPartMiB = 256

// KMSParam is the parameter that names the data bucket's customer managed
// KMS key: with one (and no S3 Bucket Key), every GET is a KMS request too.
const KMSParam = "DataBucketKmsKeyArn"

// InventoryParam is the parameter that names the bucket the stack reads S3
// Inventory reports from; empty, the data bucket.
const InventoryParam = "InventoryBucketName"

// A setting is the value a plan uses for a parameter, and where it came
// from: "flag -batch-size", "stack sumsq", "samconfig.toml" or "template
// default".
type setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	From  string `json:"from"`
}

// settings are a plan's parameters, in stackParams' order, then KMSParam
// and InventoryParam.
type settings []setting

func (s settings) get(name string) setting {
	for _, v := range s {
		if v.Name == name {
			return v
		}
	}
	return setting{}
}

// int returns the value of a whole-number parameter, checked when set.
func (s settings) int(name string) int {
	n, _ := strconv.Atoi(s.get(name).Value)
	return n
}

func (s settings) bool(name string) bool { return s.get(name).Value == "true" }

// set sets name to value, from from, if value is one the parameter allows;
// else it says why not.
func (s settings) set(name, value, from string) error {
	for i := range s {
		if s[i].Name != name {
			continue
		}
		if err := checkParam(name, value); err != nil {
			return fmt.Errorf("%s: %v", from, err)
		}
		s[i].Value, s[i].From = value, from
		return nil
	}
	return nil // a parameter the plan does not depend on
}

// checkParam says why value is not one that the parameter name allows, or
// returns nil.
func checkParam(name, value string) error {
	for _, p := range stackParams {
		if p.name != name {
			continue
		}
		if p.min == 0 && p.max == 0 {
			if value != "true" && value != "false" {
				return fmt.Errorf("%s=%q: want true or false", name, value)
			}
			return nil
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < p.min || n > p.max {
			return fmt.Errorf("%s=%q: want a whole number from %d to %d", name, value, p.min, p.max)
		}
	}
	return nil
}

// defaultSettings are template.yaml's defaults.
func defaultSettings() settings {
	s := make(settings, 0, len(stackParams)+2)
	for _, p := range stackParams {
		s = append(s, setting{Name: p.name, Value: p.def, From: "template default"})
	}
	return append(s, setting{Name: KMSParam, Value: "", From: "template default"},
		setting{Name: InventoryParam, Value: "", From: "template default"})
}

// planFlags holds the parameter flags of sumsq plan, by parameter name.
type planFlags map[string]*string

func registerParamFlags(fs *flag.FlagSet) planFlags {
	f := planFlags{}
	for _, p := range stackParams {
		f[p.name] = fs.String(p.flag, "", fmt.Sprintf("set %s to `%s`, %s (template default %s)", p.name, p.arg, p.usage, p.def))
	}
	return f
}

// readSAMParameters returns the parameter_overrides of the samconfig.toml
// at path that "sam deploy" uses: [default.deploy.parameters]'s, else
// [default.global.parameters]'s; none if the file is missing. SAM writes
// them as one string, Name="value" pairs separated by blanks, or as an
// array of Name=value strings; a value may be quoted with double quotes
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html).
func readSAMParameters(path string) (map[string]string, error) {
	deploy, global, found, err := decodeSAMConfig(path)
	if err != nil || !found {
		return nil, err
	}
	overrides := deploy.Overrides
	if overrides == nil {
		overrides = global.Overrides
	}
	var pairs []string
	switch o := overrides.(type) {
	case nil:
	case string:
		if pairs, err = splitOverrides(o); err != nil {
			return nil, fmt.Errorf("reading %s: parameter_overrides: %v", path, err)
		}
	case []any:
		for _, v := range o {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("reading %s: parameter_overrides: %v is not a string", path, v)
			}
			pairs = append(pairs, s)
		}
	default:
		return nil, fmt.Errorf("reading %s: parameter_overrides is a %T, not a string or an array of strings", path, o)
	}
	params := map[string]string{}
	for _, pair := range pairs {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("reading %s: parameter_overrides: %q is not Name=value", path, pair)
		}
		params[name] = unquote(value)
	}
	return params, nil
}

// splitOverrides splits a parameter_overrides string into its Name=value
// pairs, at blanks outside double quotes.
func splitOverrides(s string) ([]string, error) {
	var pairs []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted && i+1 < len(s):
			i++
			b.WriteByte('\\')
			b.WriteByte(s[i])
		case c == '"':
			quoted = !quoted
			b.WriteByte(c)
		case (c == ' ' || c == '\t' || c == '\n') && !quoted:
			if b.Len() > 0 {
				pairs = append(pairs, b.String())
				b.Reset()
			}
		default:
			b.WriteByte(c)
		}
	}
	if quoted {
		return nil, errors.New("a double quote is not closed")
	}
	if b.Len() > 0 {
		pairs = append(pairs, b.String())
	}
	return pairs, nil
}

// unquote returns value without the double quotes around it, if any.
func unquote(value string) string {
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		if s, err := strconv.Unquote(value); err == nil {
			return s
		}
		return value[1 : len(value)-1]
	}
	return value
}

// A deployedStack is what a plan reads of the deployed stack.
type deployedStack struct {
	parameters map[string]string
	dataBucket string // the DataBucketName output
}

// describeStack reads the parameters and the data bucket of the stack
// named name, looked up in region.
func describeStack(ctx context.Context, api stackAPI, name, region string) (deployedStack, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		// A missing stack is a ValidationError (see stackStateMachine).
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
			return deployedStack{}, fmt.Errorf("stack %s does not exist in %s", name, region)
		}
		return deployedStack{}, fmt.Errorf("describing stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return deployedStack{}, fmt.Errorf("stack %s does not exist in %s", name, region)
	}
	s := out.Stacks[0]
	d := deployedStack{parameters: map[string]string{}}
	for _, p := range s.Parameters {
		d.parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	for _, o := range s.Outputs {
		if aws.ToString(o.OutputKey) == "DataBucketName" {
			d.dataBucket = aws.ToString(o.OutputValue)
		}
	}
	return d, nil
}
