package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
)

// handler answers the function's invocations. It holds what every
// invocation shares; nothing of one invocation outlives it.
type handler struct {
	summer  *job.Summer
	margin  time.Duration // see withMargin
	log     *slog.Logger
	metrics metrics // of each batch, in its log line
}

func newHandler(c config, storage job.Storage, log *slog.Logger) *handler {
	return &handler{
		summer: &job.Summer{
			Storage:       storage,
			MaxDigits:     c.MaxDigits,
			Concurrency:   c.Concurrency,
			Memory:        c.streamMemory(),
			Bucket:        c.Bucket,
			ResultsPrefix: c.ResultsPrefix,
		},
		margin: c.TimeoutMargin,
		log:    log,
	}
}

// Invoke implements lambda.Handler. The function takes its payload as bytes
// rather than letting the runtime decode it, so that a payload that is not
// JSON is an *job.InvalidEventError like any other bad event, not the
// runtime's SyntaxError; and answers with job.Marshal's JSON, whose size the
// job bounds.
func (h *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res, err := h.Handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	return job.Marshal(res)
}

// Handle answers one event, recognised by its shape:
//
//	{"Items": [...], "BatchInput": {...}}   a batch of objects: job.BatchResult
//	{"Inventory": {...}}                    an S3 Inventory report checked: maprun.Inventory
//	{"PlanTotal": {...}, "PartBytes": n}    the plan of a total: maprun.Plan
//	{"TotalPart": {...}}                    a part of a total: maprun.Partial
//	{"Gather": {...}, ...}                  the parts added up: maprun.Gathered
//	{"Range": {...}}                        a range of a large object: job.RangeResult
//	{"Total": {...}, "Ranges": {...}, ...}  the total: maprun.Total
//	{"bucket": "...", "key": "...", ...}    one object: job.ObjectResult
//
// Each shape is decoded strictly: an unknown field, a field given twice or
// in two spellings (JSON names match case-insensitively, and the last would
// win silently), or a wrong type is an *job.InvalidEventError, as is
// anything else. Errors are the job package's types, returned unwrapped: the
// runtime reports the type's name as errorType, which is what Step
// Functions matches.
//
// Handle stops a margin before ctx's deadline (see withMargin) and then
// returns a *job.TimeoutError (a batch sets aside what it has not read), rather
// than being stopped by the runtime.
func (h *handler) Handle(ctx context.Context, event json.RawMessage) (any, error) {
	ctx, cancel := h.withMargin(ctx)
	defer cancel()
	start := time.Now()
	kind, res, err := h.dispatch(ctx, event)
	attrs := []slog.Attr{slog.String("event", kind), slog.Duration("duration", time.Since(start))}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("requestId", lc.AwsRequestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("errorType", job.ErrorType(err)), slog.String("error", err.Error()))
		h.log.LogAttrs(ctx, slog.LevelError, "failed", attrs...)
		return nil, err
	}
	switch r := res.(type) {
	case job.BatchResult:
		attrs = append(attrs, slog.Int64("objects", r.Objects), slog.Int64("failedObjects", r.FailedObjects))
		if r.DeferredObjects > 0 {
			attrs = append(attrs, slog.Int64("deferredObjects", r.DeferredObjects))
		}
		attrs = append(attrs, h.metrics.attrs(time.Now(), "objects", "failedObjects")...)
	case maprun.Partial:
		attrs = append(attrs, slog.Int64("objects", r.Objects), slog.Int64("failedObjects", r.FailedObjects))
	case maprun.Total:
		attrs = append(attrs, slog.Int64("objects", r.Objects), slog.Int64("failedObjects", r.FailedObjects))
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "done", attrs...)
	return res, nil
}

// withMargin returns ctx with a deadline h.margin before its own, but
// giving up at most a tenth of the time left, so that a short timeout still
// leaves time to work. The margin is the time the function keeps to report
// its error before the runtime would stop it.
func (h *handler) withMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(h.margin, time.Until(deadline)/10)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// dispatch recognises the event's shape, decodes it and runs it. kind names
// the shape, for the log.
func (h *handler) dispatch(ctx context.Context, event json.RawMessage) (kind string, res any, err error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(event, &fields); err != nil || fields == nil {
		return "unknown", nil, &job.InvalidEventError{Reason: notAnEvent(event)}
	}
	switch {
	case has(fields, "Items"):
		var b job.Batch
		if err := decode("batch", event, &b); err != nil {
			return "batch", nil, err
		}
		if b.Items == nil {
			return "batch", nil, &job.InvalidEventError{Reason: `batch event: "Items" must be an array`}
		}
		res, err = h.summer.Batch(ctx, b)
		return "batch", res, err
	case has(fields, "Inventory"):
		var e maprun.InventoryEvent
		if err := decode("inventory", event, &e); err != nil {
			return "inventory", nil, err
		}
		res, err = maprun.CheckInventory(ctx, h.summer, e)
		return "inventory", res, err
	case has(fields, "PlanTotal"):
		var e maprun.PlanEvent
		if err := decode("plan", event, &e); err != nil {
			return "plan", nil, err
		}
		res, err = maprun.PlanTotal(ctx, h.summer, e)
		return "plan", res, err
	case has(fields, "TotalPart"):
		var e maprun.PartEvent
		if err := decode("part", event, &e); err != nil {
			return "part", nil, err
		}
		res, err = maprun.TotalPart(ctx, h.summer, e)
		return "part", res, err
	case has(fields, "Gather"):
		var e maprun.GatherEvent
		if err := decode("gather", event, &e); err != nil {
			return "gather", nil, err
		}
		res, err = maprun.Gather(ctx, h.summer, e)
		return "gather", res, err
	case has(fields, "Total"):
		var e maprun.TotalEvent
		if err := decode("total", event, &e); err != nil {
			return "total", nil, err
		}
		res, err = maprun.Finish(ctx, h.summer, e)
		return "total", res, err
	case has(fields, "Range"):
		// {"Range": {...}}, a range of an object a batch set aside:
		// job.RangeResult.
		var e struct{ Range *job.Range }
		if err := decode("range", event, &e); err != nil {
			return "range", nil, err
		}
		if e.Range == nil {
			return "range", nil, &job.InvalidEventError{Reason: `range event: "Range" must be an object`}
		}
		res, err = h.summer.Range(ctx, *e.Range)
		return "range", res, err
	case has(fields, "bucket") || has(fields, "key"):
		var o job.Object
		if err := decode("object", event, &o); err != nil {
			return "object", nil, err
		}
		res, err = h.summer.Object(ctx, o)
		return "object", res, err
	}
	return "unknown", nil, &job.InvalidEventError{Reason: notAnEvent(event)}
}

// has reports whether fields has name, in any case, as encoding/json
// matches struct fields.
func has(fields map[string]json.RawMessage, name string) bool {
	for k := range fields {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// decode decodes event into v, refusing unknown and repeated fields.
func decode(kind string, event json.RawMessage, v any) error {
	if err := uniqueFields(event); err != nil {
		return &job.InvalidEventError{Reason: kind + " event: " + err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &job.InvalidEventError{Reason: kind + " event: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	return nil
}

// notAnEvent says why event is none of the accepted shapes.
func notAnEvent(event json.RawMessage) string {
	const want = `want {"Items", "BatchInput"}, {"Inventory"}, {"PlanTotal"}, {"TotalPart"}, {"Gather"}, {"Range"}, {"Total"} or {"bucket", "key"}`
	var v any
	if err := json.Unmarshal(event, &v); err != nil {
		return "not JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return excerpt.Shorten(string(event), 64+len("...")) + ": " + want
}
