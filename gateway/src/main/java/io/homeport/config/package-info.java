/** The deployment file (gateway.yaml): its records and loader. */
package io.homeport.config;
