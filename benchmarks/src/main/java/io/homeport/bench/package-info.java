/** JMH benchmarks of the request decision's hot path, step by step and whole. */
package io.homeport.bench;
