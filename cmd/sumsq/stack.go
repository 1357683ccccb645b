package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// StateMachineOutput is the output of the stack that holds the state
// machine's ARN (see template.yaml).
const StateMachineOutput = "StateMachineArn"

// stackAPI is the CloudFormation call start makes; *cloudformation.Client
// has it.
type stackAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

var _ stackAPI = (*cloudformation.Client)(nil)

// parseStateMachineARN parses and checks the ARN of a state machine.
func parseStateMachineARN(s string) (arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "states" || !strings.HasPrefix(a.Resource, "stateMachine:") || a.Region == "" {
		return arn.ARN{}, fmt.Errorf("%q is not the ARN of a state machine (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", s)
	}
	return a, nil
}

// stackStateMachine returns the state machine whose ARN the stack's
// StateMachineOutput output holds, the stack being looked up in region.
func stackStateMachine(ctx context.Context, api stackAPI, stack, region string) (arn.ARN, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &stack})
	if err != nil {
		// DescribeStacks of a missing stack is a ValidationError
		// "Stack with id NAME does not exist"
		// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
			return arn.ARN{}, fmt.Errorf("stack %s does not exist in %s: deploy it with 'sam deploy', or name another with -stack, -region or -state-machine", stack, region)
		}
		return arn.ARN{}, fmt.Errorf("describing stack %s: %w", stack, err)
	}
	if len(out.Stacks) == 0 {
		return arn.ARN{}, fmt.Errorf("stack %s does not exist in %s", stack, region)
	}
	s := out.Stacks[0]
	for _, o := range s.Outputs {
		if aws.ToString(o.OutputKey) == StateMachineOutput && aws.ToString(o.OutputValue) != "" {
			a, err := parseStateMachineARN(aws.ToString(o.OutputValue))
			if err != nil {
				return arn.ARN{}, fmt.Errorf("stack %s: output %s: %w", stack, StateMachineOutput, err)
			}
			return a, nil
		}
	}
	return arn.ARN{}, fmt.Errorf("stack %s (%s) has no %s output: is it a stack of this project's template.yaml?", stack, s.StackStatus, StateMachineOutput)
}
