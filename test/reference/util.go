package main

import (
	"crypto/tls"
	"net/http"
	"runtime/debug"
)

// kubernetesVersion is the k8s.io/kubernetes module version this binary was built from (go.mod).
func kubernetesVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "k8s.io/kubernetes" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// insecureClient polls the API server's self-signed loopback endpoint before the kubeconfig is in use.
func insecureClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}
