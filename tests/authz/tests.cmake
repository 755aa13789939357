# The authorizer: every rule and denial of masters, discovery and the Node authorizer, upstream's
# message shapes, and the pod references the node graph follows.
cubelet_test(authz_test authz/authorizer_test.cc authz/node_authorizer_test.cc authz/pod_references_test.cc
  authz/scheduler_role_test.cc
  LIBS cubelet_authz)
