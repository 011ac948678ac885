package io.epiphany.kubeadm.engine;

import io.epiphany.api.PlannedStep;

/** A planned step and the work that carries it out, prepared together so the run can only do what was planned. */
record Step(PlannedStep planned, Runnable body) {}
