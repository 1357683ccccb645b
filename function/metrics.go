package main

import (
	"log/slog"
	"time"
)

// metricsNamespace is the CloudWatch namespace of the function's own
// metrics, which the stack's dashboard shows.
const metricsNamespace = "sumsq"

// metrics makes figures of an invocation's log line into CloudWatch
// metrics, with no call to CloudWatch: a JSON log line with an "_aws"
// member in the embedded metric format is read by CloudWatch Logs, which
// records the members it names as metrics
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
type metrics struct {
	// function is the metrics' one dimension, FunctionName, as Lambda's own
	// metrics name the function (AWS_LAMBDA_FUNCTION_NAME). Empty outside
	// Lambda: no metrics.
	function string
}

// The "_aws" member of the embedded metric format.
type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"` // milliseconds since the epoch
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// attrs returns the attributes to add to a log line whose members names
// are counts, so that CloudWatch records them as metrics of the function,
// or nothing outside Lambda.
func (m metrics) attrs(now time.Time, names ...string) []slog.Attr {
	if m.function == "" || len(names) == 0 {
		return nil
	}
	d := emfDirective{Namespace: metricsNamespace, Dimensions: [][]string{{"FunctionName"}}}
	for _, n := range names {
		d.Metrics = append(d.Metrics, emfMetric{Name: n, Unit: "Count"})
	}
	return []slog.Attr{
		slog.String("FunctionName", m.function),
		slog.Any("_aws", emfMetadata{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emfDirective{d}}),
	}
}
