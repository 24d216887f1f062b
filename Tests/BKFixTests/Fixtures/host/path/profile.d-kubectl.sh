# kubectl completion and tools
export KUBECONFIG=/root/.kube/config
