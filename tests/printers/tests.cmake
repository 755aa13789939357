cubelet_test(printers_test printers/human_duration_test.cc printers/pod_printer_test.cc
  printers/node_event_printer_test.cc printers/kind_printers_test.cc LIBS cubelet_printers)
