// natlens-reference runs real Kubernetes parts for NAT Lens's reference tests: the kube-apiserver with
// an embedded etcd and the EndpointSlice controller (subcommand control-plane), and kube-proxy inside a
// node's network namespace (subcommand kube-proxy). The orchestration lives in harness.ts; this program
// only wires the upstream code together, it never changes what the upstream code does.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	kubeapiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kubeproxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	"k8s.io/kubernetes/pkg/controller/endpointslice"
	"k8s.io/kubernetes/pkg/proxy/util/nfacct"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: natlens-reference control-plane|kube-proxy|version ..."))
	}
	// A harness that dies without stopping us must not leave a control plane behind.
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	switch os.Args[1] {
	case "control-plane":
		fail(controlPlane(os.Args[2:]))
	case "kube-proxy":
		fail(nodeProxy(os.Args[2:]))
	case "version":
		fmt.Println(kubernetesVersion())
	case "nfacct-probe":
		fail(nfacctProbe(os.Args[2:]))
	default:
		fail(fmt.Errorf("unknown subcommand %q", os.Args[1]))
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "natlens-reference:", err)
		os.Exit(1)
	}
}

// controlPlane starts etcd, the kube-apiserver and the EndpointSlice controller on loopback, writes a
// kubeconfig, opens a unix socket that forwards to the API server (node namespaces reach it through the
// shared file system, not through the network), prints one JSON line and runs until SIGTERM.
func controlPlane(args []string) error {
	fs := flag.NewFlagSet("control-plane", flag.ExitOnError)
	dir := fs.String("dir", "", "state directory")
	serviceCIDR := fs.String("service-cidr", "10.96.0.0/12", "--service-cluster-ip-range")
	nodePortRange := fs.String("node-port-range", "30000-32767", "--service-node-port-range")
	audit := addAuditFlag(fs)
	fs.Parse(args)
	if *dir == "" {
		return fmt.Errorf("--dir is required")
	}
	for _, d := range []string{"etcd", "certs"} {
		if err := os.MkdirAll(filepath.Join(*dir, d), 0o700); err != nil {
			return err
		}
	}
	etcdURL, err := startEtcd(filepath.Join(*dir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	// The admin (system:masters: kube-proxy, the controller, the harness) and a user RBAC grants
	// nothing until a test binds it a role (authorization is RBAC, as in a real cluster).
	token, viewerToken := randomHex(16), randomHex(16)
	tokens := filepath.Join(*dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",natlens-reference,natlens-reference,system:masters\n"+viewerToken+",natlens-viewer,natlens-viewer\n"), 0o600); err != nil {
		return err
	}
	saKey := filepath.Join(*dir, "sa.key")
	if err := writeRSAKey(saKey); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	auditArgs, err := audit.apiserverArgs(*dir)
	if err != nil {
		return err
	}
	apiserver := kubeapiserver.NewAPIServerCommand()
	apiserver.SetArgs(append([]string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + filepath.Join(*dir, "certs"),
		"--token-auth-file=" + tokens,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + *serviceCIDR,
		"--service-node-port-range=" + *nodePortRange,
		"--service-account-issuer=https://natlens-reference.invalid",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		// No kubelet and no controller-manager: the default ServiceAccount never appears, and the
		// kubernetes Service's endpoints would point at loopback, which Endpoints validation rejects.
		"--disable-admission-plugins=ServiceAccount",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
		"--v=0",
	}, auditArgs...))
	apiErr := make(chan error, 1)
	go func() { apiErr <- apiserver.Execute() }()

	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	kubeconfig := filepath.Join(*dir, "kubeconfig")
	viewerKubeconfig := filepath.Join(*dir, "kubeconfig-viewer")
	if err := writeKubeconfig(kubeconfig, server, "admin", token); err != nil {
		return err
	}
	if err := writeKubeconfig(viewerKubeconfig, server, "natlens-viewer", viewerToken); err != nil {
		return err
	}
	if err := waitReady(server, token, apiErr); err != nil {
		return err
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	restConfig.QPS, restConfig.Burst = 1000, 2000
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	if err := hideKubernetesService(ctx, client); err != nil {
		return err
	}
	// The controller as kube-controller-manager runs it (cmd/kube-controller-manager/app/discovery.go
	// newEndpointSliceControllerDescriptor), with the component-config defaults: 100 endpoints per
	// slice; the batch period is 0 there too.
	factory := informers.NewSharedInformerFactory(client, 0)
	controller := endpointslice.NewController(ctx,
		factory.Core().V1().Pods(), factory.Core().V1().Services(), factory.Core().V1().Nodes(),
		factory.Discovery().V1().EndpointSlices(), 100, client, 0)
	factory.Start(ctx.Done())
	go controller.Run(ctx, 5)

	socket := filepath.Join(*dir, "apiserver.sock")
	os.Remove(socket)
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return err
	}
	go forward(listener, "tcp", fmt.Sprintf("127.0.0.1:%d", port))

	ready, _ := json.Marshal(map[string]string{"server": server, "kubeconfig": kubeconfig, "viewerKubeconfig": viewerKubeconfig, "token": token, "socket": socket, "version": kubernetesVersion()})
	fmt.Println(string(ready))
	select {
	case <-ctx.Done():
		return nil
	case err := <-apiErr:
		return fmt.Errorf("kube-apiserver stopped: %v", err)
	}
}

// nodeProxy runs inside a node's network namespace: it forwards 127.0.0.1:6443 of the namespace to the
// control plane's unix socket, exposes the namespace's kube-proxy metrics port on another unix socket
// for the harness, and then runs kube-proxy's own command with the remaining arguments.
func nodeProxy(args []string) error {
	fs := flag.NewFlagSet("kube-proxy", flag.ExitOnError)
	apiSocket := fs.String("api-socket", "", "control plane socket")
	metricsSocket := fs.String("metrics-socket", "", "socket that forwards to 127.0.0.1:10249 in this namespace")
	fs.Parse(args)
	api, err := net.Listen("tcp", "127.0.0.1:6443")
	if err != nil {
		return err
	}
	go forward(api, "unix", *apiSocket)
	if *metricsSocket != "" {
		os.Remove(*metricsSocket)
		metrics, err := net.Listen("unix", *metricsSocket)
		if err != nil {
			return err
		}
		go forward(metrics, "tcp", "127.0.0.1:10249")
	}
	cmd := kubeproxy.NewProxyCommand()
	cmd.SetArgs(fs.Args())
	return cmd.Execute()
}

func startEtcd(dir string) (string, error) {
	clientPort, err := freePort()
	if err != nil {
		return "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return "", err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{clientURL}, []url.URL{clientURL}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peerURL}, []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return clientURL.String(), nil
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("not ready after 60s")
	}
}

func waitReady(server, token string, apiErr <-chan error) error {
	client := insecureClient()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver stopped: %v", err)
		default:
		}
		req, _ := http.NewRequest("GET", server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after 3 minutes")
}

// hideKubernetesService takes the API server's own default/kubernetes Service away from kube-proxy
// (kube-proxy skips Services labelled service.kubernetes.io/service-proxy-name; cmd/kube-proxy/app
// server.go), so the node rulesets hold only the Services of the input.
func hideKubernetesService(ctx context.Context, client kubernetes.Interface) error {
	patch := []byte(`{"metadata":{"labels":{"service.kubernetes.io/service-proxy-name":"natlens-reference-hidden"}}}`)
	var err error
	for i := 0; i < 100; i++ {
		if _, err = client.CoreV1().Services("default").Patch(ctx, "kubernetes", types.MergePatchType, patch, metav1.PatchOptions{}); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("labelling default/kubernetes: %w", err)
}

func forward(l net.Listener, network, address string) {
	for {
		in, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer in.Close()
			out, err := net.Dial(network, address)
			if err != nil {
				return
			}
			defer out.Close()
			go io.Copy(out, in)
			io.Copy(in, out)
		}()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeRSAKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
}

func writeKubeconfig(path, server, user, token string) error {
	text := strings.Join([]string{
		"apiVersion: v1", "kind: Config",
		"clusters: [{name: reference, cluster: {server: '" + server + "', insecure-skip-tls-verify: true}}]",
		"users: [{name: " + user + ", user: {token: '" + token + "'}}]",
		"contexts: [{name: reference, context: {cluster: reference, user: " + user + "}}]",
		"current-context: reference", "",
	}, "\n")
	return os.WriteFile(path, []byte(text), 0o600)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// nfacctProbe prints, one per line, the nfacct counters kube-proxy's iptables mode can use in this
// network namespace: it ensures each named counter with kube-proxy's own nfacct runner, as the
// proxier does at start (pkg/proxy/iptables NewProxier).
func nfacctProbe(names []string) error {
	runner, err := nfacct.New()
	if err != nil {
		return nil
	}
	for _, name := range names {
		if runner.Ensure(name) == nil {
			fmt.Println(name)
		}
	}
	return nil
}
