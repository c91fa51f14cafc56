package main

import (
	"flag"
	"os"
	"path/filepath"
)

// auditOption is the control plane's audit log: off by default; the snapshot tests read it to prove
// that a snapshot sends no verb but get, list and watch.
type auditOption struct {
	path *string
}

func addAuditFlag(fs *flag.FlagSet) auditOption {
	return auditOption{path: fs.String("audit-log", "", "write kube-apiserver's audit log (JSON lines, level Metadata) to this file")}
}

// apiserverArgs are the kube-apiserver flags for the audit log; its policy goes into dir.
func (o auditOption) apiserverArgs(dir string) ([]string, error) {
	if *o.path == "" {
		return nil, nil
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n"), 0o600); err != nil {
		return nil, err
	}
	return []string{"--audit-policy-file=" + policy, "--audit-log-path=" + *o.path, "--audit-log-format=json", "--audit-log-mode=blocking"}, nil
}
