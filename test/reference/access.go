package main

import (
	"flag"
	"os"
	"path/filepath"
)

// accessOptions are the control plane's authorization and audit settings: AlwaysAllow and no audit by
// default; the snapshot tests ask for RBAC (the harness's own token stays in system:masters, which
// RBAC's bootstrap policy binds to cluster-admin) and an audit log of every request's verb.
type accessOptions struct {
	authorizationMode *string
	auditLog          *string
}

func addAccessFlags(fs *flag.FlagSet) accessOptions {
	return accessOptions{
		authorizationMode: fs.String("authorization-mode", "AlwaysAllow", "kube-apiserver --authorization-mode (e.g. RBAC)"),
		auditLog:          fs.String("audit-log", "", "write kube-apiserver's audit log (JSON lines, level Metadata) to this file"),
	}
}

// apiserverArgs are the kube-apiserver flags for these options; the audit policy goes into dir.
func (o accessOptions) apiserverArgs(dir string) ([]string, error) {
	args := []string{"--authorization-mode=" + *o.authorizationMode}
	if *o.auditLog == "" {
		return args, nil
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n"), 0o600); err != nil {
		return nil, err
	}
	return append(args, "--audit-policy-file="+policy, "--audit-log-path="+*o.auditLog, "--audit-log-format=json", "--audit-log-mode=blocking"), nil
}
