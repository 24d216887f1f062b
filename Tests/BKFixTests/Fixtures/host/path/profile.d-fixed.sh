# added by the operator after the helmfile incident
export PATH="/usr/local/bin:$PATH"
